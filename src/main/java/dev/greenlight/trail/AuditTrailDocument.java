package dev.greenlight.trail;

import dev.greenlight.deploy.Deployment;
import dev.greenlight.incident.Markdown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The trail as a document, one row per deployment (when it was asked for, who asked, app, environment, version,
 * strategy, outcome, how long it ran, a link to it): the {@code AUDIT_TRAIL.md} of the design record, or CSV.
 * Links point at {@code GET /api/v1/deployments/{id}}, under {@code github.public-url} when it is set.
 */
public final class AuditTrailDocument {
    public static final String MARKDOWN = "text/markdown; charset=utf-8";
    public static final String CSV = "text/csv; charset=utf-8";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final String publicUrl;
    private final Clock clock;

    public AuditTrailDocument(String publicUrl, Clock clock) {
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    /** The deployments (newest first, as given) as a Markdown table under a title. */
    public String markdown(List<Deployment> deployments, String scope) {
        StringBuilder md = new StringBuilder(200 + deployments.size() * 160)
                .append("# Audit trail\n\n")
                .append("Deployments recorded by Greenlight").append(scope == null ? "" : " (" + Markdown.cell(scope, 200) + ")")
                .append(", newest first: ").append(deployments.size()).append(deployments.size() == 1 ? " row" : " rows")
                .append(", as of ").append(WHEN.format(clock.instant())).append(". Every audit entry is at ")
                .append("`GET /api/v1/audit`; `GET /api/v1/audit/verify` checks that none was altered or removed.\n\n")
                .append("| When | Who | App | Environment | Version | Strategy | Outcome | Duration | Deployment |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (Deployment d : deployments) {
            md.append("| ").append(WHEN.format(d.createdAt()))
                    .append(" | ").append(Markdown.cell(d.triggeredBy(), 128))
                    .append(" | ").append(Markdown.cell(d.app(), 64))
                    .append(" | ").append(Markdown.cell(d.environment(), 64))
                    .append(" | ").append(Markdown.cell(d.version(), 128))
                    .append(" | ").append(Markdown.cell(d.strategy(), 16))
                    .append(" | ").append(Markdown.cell(d.status().key(), 32))
                    .append(" | ").append(Markdown.duration(d.startedAt(), d.finishedAt()))
                    .append(" | [#").append(d.id()).append("](").append(link(d.id())).append(") |\n");
        }
        return md.toString();
    }

    /** The same rows as CSV, with a header; times in ISO-8601 UTC, the duration in seconds. */
    public String csv(List<Deployment> deployments) {
        StringBuilder csv = new StringBuilder(100 + deployments.size() * 160).append(Csv.record("id", "when", "who",
                "app", "environment", "version", "strategy", "outcome", "duration_seconds", "link"));
        for (Deployment d : deployments) {
            csv.append(Csv.record(Long.toString(d.id()), d.createdAt().toString(), d.triggeredBy(), d.app(),
                    d.environment(), d.version(), d.strategy(), d.status().key(), seconds(d.startedAt(), d.finishedAt()),
                    link(d.id())));
        }
        return csv.toString();
    }

    private String link(long id) {
        String path = "/api/v1/deployments/" + id;
        return publicUrl == null ? path : publicUrl + path;
    }

    private static String seconds(Instant start, Instant end) {
        if (start == null || end == null) return "";
        return String.format(Locale.ROOT, "%.3f", Duration.between(start, end).toMillis() / 1000.0);
    }
}
