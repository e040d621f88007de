package dev.greenlight.notify;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.greenlight.config.NotificationEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One message for the chat channels, provider-neutral: what the {@code webhook} type sends as it is, what the outbox
 * keeps, and what every provider's format renders. Fields that do not apply are null.
 *
 * @param event          the {@link NotificationEvent} key
 * @param title          one line: what happened where
 * @param failingStep    the step that failed and where, e.g. "health on 10.0.0.5:22"
 * @param reason         why, shortened
 * @param figures        numbers an alert is about (the review trigger's rates, the count of bad signatures)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Notice(String event, String severity, String title, String app, String environment, Long deploymentId,
                     String version, String previousVersion, String triggeredBy, String status, Long durationSeconds,
                     String failingStep, String reason, Links links, Map<String, Object> figures, Instant at) {

    /** Where to read more: the deployment in the API and its incident report; null without a public URL. */
    public record Links(String deployment, String incident) {
        public static final Links NONE = new Links(null, null);
    }

    /** One labelled value of a message. */
    public record Fact(String label, String value) {
    }

    @JsonIgnore
    public NotificationEvent kind() {
        return NotificationEvent.parse(event).orElseThrow();
    }

    /** The labelled values every format shows, in this order, leaving out what is not known. */
    @JsonIgnore
    public List<Fact> facts() {
        List<Fact> out = new ArrayList<>();
        add(out, "App", app);
        add(out, "Environment", environment);
        add(out, "Version", version);
        add(out, "Previous version", previousVersion);
        add(out, "Triggered by", triggeredBy);
        add(out, "Status", status);
        add(out, "Duration", durationSeconds == null ? null : duration(durationSeconds));
        add(out, "Failing step", failingStep);
        if (figures != null) figures.forEach((k, v) -> add(out, k, String.valueOf(v)));
        add(out, "Severity", severity);
        return out;
    }

    /** The links as labelled URLs, in order. */
    @JsonIgnore
    public List<Fact> linkList() {
        List<Fact> out = new ArrayList<>();
        if (links != null) {
            add(out, "Deployment", links.deployment());
            add(out, "Incident report", links.incident());
        }
        return out;
    }

    /** The colour of its severity (a success is green), as RGB. */
    @JsonIgnore
    public int color() {
        if (NotificationEvent.SUCCEEDED.key().equals(event)) return 0x12B76A;
        return switch (kind().severity()) {
            case CRITICAL -> 0xD92D20;
            case WARNING -> 0xF79009;
            case INFO -> 0x2E90FA;
        };
    }

    static String duration(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        if (seconds < 60) return seconds + "s";
        if (seconds < 3600) return d.toMinutes() + "m " + d.toSecondsPart() + "s";
        return d.toHours() + "h " + d.toMinutesPart() + "m";
    }

    private static void add(List<Fact> out, String label, String value) {
        if (value != null && !value.isBlank()) out.add(new Fact(label, value));
    }
}
