package dev.greenlight.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Page;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review triggers over a seeded history of shop/staging: a warning when failures pass 10% or rollbacks 5% of the
 * window's deployments, once per crossing, re-armed when the rate is back under; and the bad-signature burst.
 */
class ReviewTriggersTest {
    @TempDir
    Path dir;

    private TestDatabase db;
    private HikariDataSource ds;
    private Jdbc jdbc;
    private Notifications notifications;
    private NotificationStore store;

    @BeforeEach
    void open() throws Exception {
        db = TestDatabase.create();
        ds = Database.open(db.url(), db.user(), null, db.schema(), 4);
        jdbc = new Jdbc(ds);
        Path config = Files.writeString(dir.resolve("greenlight.yaml"), """
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh }
                        commands: { deploy: "x" }
                        notify: [team, oncall]
                notifications:
                  team: { type: webhook, url-env: TEAM_URL, events: [review-trigger] }
                  oncall: { type: slack, url-env: ONCALL_URL, severity: critical }
                """);
        GreenlightConfig cfg = ConfigLoader.load(config);
        Secrets secrets = new Secrets(Map.<String, String>of()::get);
        Clock clock = Clock.systemUTC();
        store = new NotificationStore(jdbc, clock, "test", secrets);
        NoticeFactory notices = new NoticeFactory(null, clock);
        notifications = new Notifications(new dev.greenlight.config.CurrentConfig(cfg), new DeploymentStore(jdbc, clock, secrets),
                new StepStore(jdbc, clock, secrets), store, notices,
                new ReviewTriggers(Duration.ofDays(30), clock, notices), jdbc);
    }

    @AfterEach
    void close() throws Exception {
        ds.close();
        db.close();
    }

    /** A deployment that ended {@code daysAgo} with {@code status}; ends it through the notifications when told. */
    private long seed(String status, String trigger, int daysAgo) {
        Instant at = Instant.now().minus(Duration.ofDays(daysAgo));
        return jdbc.inTransaction(c -> Jdbc.insert(c, "insert into deployments (app, environment, version, strategy, "
                        + "trigger_kind, triggered_by, status, created_at, started_at, finished_at) values "
                        + "('shop', 'staging', ?, 'rolling', ?, 'ci', ?, ?, ?, ?)", "v" + System.nanoTime(), trigger,
                status, at, at, at));
    }

    /** What the end of a deployment tells: its notices in its transaction. */
    private void ends(String status) {
        long id = seed(status, "manual", 0);
        jdbc.inTransaction(c -> {
            notifications.changed(c, id);
            return null;
        });
    }

    private List<NotificationStore.Row> warnings() {
        List<NotificationStore.Row> newestFirst = new java.util.ArrayList<>(
                store.list(dev.greenlight.store.Scope.EVERYTHING, null, "team", Page.newest(100)));
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
    }

    @Test
    void aFailureRateAboveTenPercentWarnsOncePerCrossingWithItsFigures() {
        for (int i = 0; i < 9; i++) seed("succeeded", "push", 3);
        seed("failed", "push", 40); // outside the window: not counted
        ends("succeeded");
        assertThat(warnings()).isEmpty();

        ends("failed"); // 1 of 11: 9.1%
        assertThat(warnings()).isEmpty();
        ends("failed"); // 2 of 12: 16.7%
        assertThat(warnings()).hasSize(1);
        Notice warning = warnings().get(0).notice();
        assertThat(warning.event()).isEqualTo("review-trigger");
        assertThat(warning.severity()).isEqualTo("warning");
        assertThat(warning.title()).isEqualTo("shop/staging: failures above 10.0% of deployments");
        assertThat(warning.reason()).isEqualTo("2 of 12 deployments in the last 30d failed (16.7%, threshold 10.0%): "
                + "time to review the pipeline");
        assertThat(warning.figures()).containsEntry("Deployments", 12).containsEntry("Failed", 2)
                .containsEntry("Failure rate", "16.7%").containsEntry("Threshold", "10.0%");

        ends("failed"); // still above: no second warning
        assertThat(warnings()).hasSize(1);
        for (int i = 0; i < 20; i++) ends("succeeded"); // 3 of 33: 9.1%, re-armed
        assertThat(warnings()).hasSize(1);
        ends("failed"); // 4 of 34: 11.8%, crossed again
        assertThat(warnings()).hasSize(2);
        assertThat(warnings().get(1).notice().figures()).containsEntry("Deployments", 34).containsEntry("Failed", 4);
        assertThat(Sql.count(db, "select count(*) from notifications where channel = 'oncall' and event = "
                + "'review-trigger'")).as("a warning is not critical").isZero();
    }

    @Test
    void rollbacksAboveFivePercentWarnAndManualRollbacksCount() {
        for (int i = 0; i < 18; i++) seed("succeeded", "push", 1);
        seed("succeeded", "rollback", 1); // a rollback someone asked for: 1 of 19
        ends("succeeded"); // 1 of 20: 5.0%, not above
        assertThat(warnings()).isEmpty();
        ends("rolled_back"); // 2 of 21 rollbacks (9.5%), 1 of 21 failures (4.8%)
        assertThat(warnings()).extracting(r -> r.notice().title())
                .containsExactly("shop/staging: rollbacks above 5.0% of deployments");
        assertThat(warnings().get(0).notice().figures()).containsEntry("Rolled back", 2)
                .containsEntry("Rollback rate", "9.5%");
    }

    @Test
    void aBurstOfBadSignaturesRaisesOneAlertPerWindow() {
        MovingClock clock = new MovingClock();
        BadSignatureBurst burst = new BadSignatureBurst(notifications, new NoticeFactory(null, clock), clock, 10,
                Duration.ofMinutes(5));
        for (int i = 0; i < 9; i++) burst.refused("203.0.113.9");
        assertThat(store.count(NotificationStore.PENDING)).isZero();
        for (int i = 0; i < 20; i++) burst.refused("203.0.113.9");
        List<NotificationStore.Row> alerts = store.list(dev.greenlight.store.Scope.EVERYTHING, null, "oncall", Page.newest(10));
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).notice().title()).isEqualTo("10 webhook deliveries with a bad signature within 5m");
        assertThat(alerts.get(0).notice().severity()).isEqualTo("critical");
        assertThat(alerts.get(0).app()).isNull();
        assertThat(store.list(new dev.greenlight.store.Scope(null, java.util.Set.of("staging")), null, null, Page.newest(10)))
                .as("a service alert is not shown to a token of one environment").isEmpty();

        clock.now = clock.now.plus(Duration.ofMinutes(5));
        for (int i = 0; i < 10; i++) burst.refused("203.0.113.9");
        assertThat(store.list(dev.greenlight.store.Scope.EVERYTHING, null, "oncall", Page.newest(10))).hasSize(2);
    }

    private static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
