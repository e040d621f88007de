package dev.greenlight.config;

import java.util.Set;

/**
 * A chat channel; its webhook URL is a secret, so only where to read it is configured.
 *
 * @param type         slack, discord, teams, mattermost or webhook
 * @param events       what it is told (all, unless {@code events:} lists some)
 * @param criticalOnly {@code severity: critical}: only critical events and failures
 */
public record NotificationTarget(String name, String type, String urlEnv, String urlFile, Set<NotificationEvent> events,
                                 boolean criticalOnly) {
    public static final Set<String> TYPES = Set.of("slack", "discord", "teams", "mattermost", "webhook");

    /** Whether this channel is told of {@code event}. */
    public boolean wants(NotificationEvent event) {
        return events.contains(event) && (!criticalOnly || event.severity() == Severity.CRITICAL || event.failure());
    }
}
