package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code notifications:} block: types, events, severity, and a key path for every mistake. */
class NotificationConfigTest {
    @TempDir
    Path dir;

    private Path file(String channels) throws IOException {
        return Files.writeString(dir.resolve("greenlight.yaml"), """
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                        ssh: { user: deploy, key-file: /keys/k, known-hosts: /keys/kh }
                        commands: { deploy: "x" }
                        notify: [team]
                notifications:
                """ + channels.indent(2));
    }

    private NotificationTarget team(String body) throws IOException {
        return ConfigLoader.load(file("team: " + body)).notifications().get("team");
    }

    private void refused(String channels, String message) throws IOException {
        Path f = file(channels);
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class).hasMessage(f + ": " + message);
    }

    @Test
    void everyProviderTypeLoads() throws IOException {
        for (String type : new String[] {"slack", "discord", "teams", "mattermost", "webhook"}) {
            assertThat(team("{ type: " + type + ", url-env: URL }").type()).isEqualTo(type);
        }
    }

    @Test
    void aChannelGetsEveryEventOfEverySeverityByDefault() throws IOException {
        NotificationTarget team = team("{ type: slack, url-env: SLACK_URL }");

        assertThat(team.events()).isEqualTo(EnumSet.allOf(NotificationEvent.class));
        assertThat(team.criticalOnly()).isFalse();
        assertThat(team.wants(NotificationEvent.STARTED)).isTrue();
        assertThat(team.wants(NotificationEvent.REVIEW_TRIGGER)).isTrue();
    }

    @Test
    void eventsSelectWhatAChannelIsTold() throws IOException {
        NotificationTarget team = team("{ type: slack, url-env: U, events: [succeeded, rolled-back, bad-signatures] }");

        assertThat(team.events()).containsExactlyInAnyOrder(NotificationEvent.SUCCEEDED, NotificationEvent.ROLLED_BACK,
                NotificationEvent.BAD_SIGNATURES);
        assertThat(team.wants(NotificationEvent.SUCCEEDED)).isTrue();
        assertThat(team.wants(NotificationEvent.STARTED)).isFalse();
    }

    @Test
    void aCriticalChannelGetsCriticalAlertsAndFailuresOnly() throws IOException {
        NotificationTarget oncall = team("{ type: discord, url-file: /run/secrets/oncall, severity: critical }");

        assertThat(oncall.criticalOnly()).isTrue();
        assertThat(EnumSet.allOf(NotificationEvent.class).stream().filter(oncall::wants)).containsExactlyInAnyOrder(
                NotificationEvent.FAILED, NotificationEvent.ROLLED_BACK, NotificationEvent.ROLLBACK_FAILED,
                NotificationEvent.ERROR_RATE, NotificationEvent.BAD_SIGNATURES);
    }

    @Test
    void severityAllIsTheDefaultWrittenOut() throws IOException {
        assertThat(team("{ type: teams, url-env: U, severity: all }").criticalOnly()).isFalse();
    }

    @Test
    void mistakesAreRefusedWithTheirKeyPath() throws IOException {
        refused("team: { type: irc, url-env: U }", "notifications.team.type: \"irc\" is not one of "
                + "[discord, mattermost, slack, teams, webhook]");
        refused("team: { type: slack }", "notifications.team: needs url-env or url-file");
        refused("team: { type: slack, url-env: U, events: [started, deployed] }", "notifications.team.events[1]: "
                + "\"deployed\" is not an event (started, succeeded, failed, rolled-back, rollback-failed, cancelled, "
                + "awaiting-approval, awaiting-promotion, health-check-failed, host-check-failed, error-rate, bad-signatures, "
                + "review-trigger)");
        refused("team: { type: slack, url-env: U, events: [] }", "notifications.team.events: is empty: list the "
                + "events to send, or leave it out for all of them");
        refused("team: { type: slack, url-env: U, events: started }", "notifications.team.events: must be a list, "
                + "got \"started\"");
        refused("team: { type: slack, url-env: U, severity: high }", "notifications.team.severity: \"high\" is not "
                + "one of all, critical");
        refused("team: { type: slack, url-env: U, channel: x }", "notifications.team.channel: unknown key (expected "
                + "one of: type, url-env, url-file, events, severity)");
        refused("team: { type: slack, url: \"https://hooks.slack.com/services/x\" }", "notifications.team.url: "
                + "secrets may not be written in this file: use url-env or url-file");
    }
}
