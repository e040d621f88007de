package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.deploy.DeploymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A deployment of the API (as JSON) as lines of text: what it is, where it stands, its steps as a table. */
final class DeploymentText {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final int DETAIL_WIDTH = 100;

    private DeploymentText() {
    }

    /** The deployment's first lines: what, where, by whom, and its status. */
    static List<String> summary(JsonNode d) {
        List<String> lines = new ArrayList<>();
        String previous = text(d, "previousVersion");
        lines.add("deployment " + d.path("id").asText() + ": " + d.path("app").asText() + "/"
                + d.path("environment").asText() + " " + d.path("version").asText()
                + (previous.isEmpty() ? "" : " (from " + previous + ")") + ", " + d.path("strategy").asText()
                + ", " + d.path("trigger").asText() + " by " + d.path("triggeredBy").asText()
                + " at " + d.path("createdAt").asText());
        if (!text(d, "reason").isEmpty()) lines.add("reason: " + text(d, "reason"));
        lines.add(status(d));
        if (!text(d, "incidentUrl").isEmpty()) lines.add("incident report: " + text(d, "incidentUrl"));
        return lines;
    }

    /** "status: rolled_back (the health check of … failed)". */
    static String status(JsonNode d) {
        String detail = text(d, "detail");
        return "status: " + d.path("status").asText() + (detail.isEmpty() ? "" : " (" + detail + ")");
    }

    static DeploymentStatus statusOf(JsonNode d) {
        return DeploymentStatus.parse(d.path("status").asText()).orElseThrow(() -> new CliFailure(Exit.UNREACHABLE,
                "the service answered a deployment status this command does not know: " + d.path("status")));
    }

    static TextTable stepTable() {
        return new TextTable(List.of("STAGE", "HOST", "TRY", "STATUS", "STARTED", "TOOK", "EXIT", "DETAIL"),
                14, 20, 3, 11, 8, 6, 4);
    }

    static List<List<String>> stepRows(JsonNode d) {
        List<List<String>> rows = new ArrayList<>();
        d.path("steps").forEach(step -> rows.add(stepRow(step)));
        return rows;
    }

    static List<String> stepRow(JsonNode step) {
        return List.of(text(step, "stage"), text(step, "host").isEmpty() ? "-" : text(step, "host"),
                step.path("attempt").asText(), text(step, "status"), clock(text(step, "startedAt")),
                took(text(step, "startedAt"), text(step, "finishedAt")),
                step.path("exitCode").isNumber() ? step.path("exitCode").asText() : "-", detail(step));
    }

    /** The step's own verdict, else the last line its command printed, on one line. */
    private static String detail(JsonNode step) {
        String detail = text(step, "detail");
        if (detail.isEmpty()) {
            String[] output = text(step, "output").strip().split("\n");
            detail = output[output.length - 1];
        }
        detail = detail.replaceAll("\\s+", " ").strip();
        return detail.length() > DETAIL_WIDTH ? detail.substring(0, DETAIL_WIDTH - 1) + "…" : detail;
    }

    private static String clock(String instant) {
        return instant.isEmpty() ? "-" : CLOCK.format(Instant.parse(instant));
    }

    /** 0.4s, 12s, 2m05s; "…" while the step runs. */
    static String took(String started, String finished) {
        if (started.isEmpty()) return "-";
        if (finished.isEmpty()) return "…";
        Duration d = Duration.between(Instant.parse(started), Instant.parse(finished));
        if (d.toMillis() < 10_000) return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        if (d.toSeconds() < 60) return d.toSeconds() + "s";
        return d.toMinutes() + "m" + String.format(Locale.ROOT, "%02ds", d.toSecondsPart());
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNull() || value.isMissingNode() ? "" : value.asText();
    }
}
