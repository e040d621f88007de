package dev.greenlight.incident;

import java.time.Instant;

/**
 * A rolled-back deployment's incident report, and the GitHub issue it became once GitHub accepted it.
 *
 * @param issueNumber null until the issue was opened
 */
public record IncidentReport(long deploymentId, Instant createdAt, String title, String markdown, Integer issueNumber,
                             String issueUrl) {
}
