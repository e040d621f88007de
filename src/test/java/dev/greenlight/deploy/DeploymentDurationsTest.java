package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.Secrets;
import dev.greenlight.delivery.DeliveryFigures;
import dev.greenlight.delivery.DeliveryMetrics;
import dev.greenlight.delivery.DurationSummary;
import dev.greenlight.delivery.MetricsQuery;
import dev.greenlight.metrics.GreenlightMeters;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Scope;
import dev.greenlight.testing.MovableClock;
import dev.greenlight.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The durations the delivery figures aggregate are stored in the transaction that ends a deployment, whichever way it
 * ends, on both databases; an unfinished deployment has none.
 */
class DeploymentDurationsTest {
    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of(Named.<Supplier<TestDatabase>>of("PostgreSQL", TestDatabase::postgres)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("H2", TestDatabase::h2)));
    }

    record Stored(Double deploy, Double lead, Double rollback) {
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDeploymentsEndStoresItsDurations(Supplier<TestDatabase> kind) throws Exception {
        try (TestDatabase db = kind.get(); HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 2)) {
            Jdbc jdbc = new Jdbc(ds);
            MovableClock clock = new MovableClock();
            Secrets secrets = new Secrets(name -> null);
            DeploymentStore store = new DeploymentStore(jdbc, clock, secrets);
            AuditLog audit = new AuditLog(jdbc, clock, secrets);
            EnvironmentLease lease = new EnvironmentLease(jdbc, "test", Duration.ofMinutes(1), audit);
            lease.register("shop", "staging");
            DeploymentFinisher finisher = new DeploymentFinisher(store, lease, audit, new EventOutbox(jdbc, clock, "test"),
                    () -> { }, new DeploymentMeasures(store, audit, new GreenlightMeters(new SimpleMeterRegistry())));
            // a second before the first trigger: a store keeps microseconds (H2 may round them), the clock nanoseconds
            Instant from = clock.instant().minusSeconds(1);

            // pushed 600 s before its trigger; 10 s in the queue, 90 s running: 100 s to deploy, 700 s from the commit
            long pushed = create(store, clock.instant().minusSeconds(600));
            clock.advance(Duration.ofSeconds(10));
            assertThat(store.transition(pushed, DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null)).isTrue();
            assertThat(stored(jdbc, pushed)).as("running: nothing stored yet").isEqualTo(new Stored(null, null, null));
            clock.advance(Duration.ofSeconds(90));
            finisher.succeeded(pushed);

            // 5 s queued, 20 s running, then 45 s rolling back
            long rolledBack = create(store, null);
            clock.advance(Duration.ofSeconds(5));
            store.transition(rolledBack, DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null);
            clock.advance(Duration.ofSeconds(20));
            assertThat(finisher.move(rolledBack, DeploymentStatus.RUNNING, DeploymentStatus.ROLLING_BACK, "unhealthy"))
                    .isTrue();
            clock.advance(Duration.ofSeconds(45));
            finisher.finish(rolledBack, DeploymentStatus.ROLLING_BACK, DeploymentStatus.ROLLED_BACK, "rolled back");

            // cancelled in the queue after 3 s (Cancellations' path: the store's transition alone)
            long cancelled = create(store, null);
            clock.advance(Duration.ofSeconds(3));
            store.transition(cancelled, DeploymentStatus.QUEUED, DeploymentStatus.CANCELLED, "cancelled");

            long unfinished = create(store, clock.instant());
            store.transition(unfinished, DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null);

            assertSeconds(stored(jdbc, pushed), 100.0, 700.0, null);
            assertSeconds(stored(jdbc, rolledBack), 70.0, null, 45.0);
            assertSeconds(stored(jdbc, cancelled), 3.0, null, null);
            assertThat(stored(jdbc, unfinished)).isEqualTo(new Stored(null, null, null));

            DeliveryFigures f = new DeliveryMetrics(jdbc).figures(
                    new MetricsQuery(Scope.EVERYTHING, null, null, from, clock.instant()));
            assertThat(f.timeToDeploy()).isEqualTo(new DurationSummary(1, 100.0, 100.0, 100.0));
            assertThat(f.leadTime()).isEqualTo(new DurationSummary(1, 700.0, 700.0, 700.0));
            assertThat(f.timeToRecovery()).isEqualTo(new DurationSummary(1, 45.0, 45.0, 45.0));
        }
    }

    private static long create(DeploymentStore store, Instant commitTime) {
        return store.inTransaction(c -> store.create(c, new DeploymentRequest("shop", "staging", "1.0.0", null,
                "rolling", TriggerKind.PUSH, "ci", null, null, null, false, commitTime)).id());
    }

    private static Stored stored(Jdbc jdbc, long id) {
        return jdbc.queryOne("select deploy_seconds, lead_seconds, rollback_seconds from deployments where id = ?",
                rs -> new Stored(number(rs, 1), number(rs, 2), number(rs, 3)), id).orElseThrow();
    }

    private static Double number(java.sql.ResultSet rs, int column) throws java.sql.SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    private static void assertSeconds(Stored s, Double deploy, Double lead, Double rollback) {
        check(s.deploy(), deploy);
        check(s.lead(), lead);
        check(s.rollback(), rollback);
    }

    private static void check(Double actual, Double expected) {
        if (expected == null) {
            assertThat(actual).isNull();
        } else {
            assertThat(actual).isCloseTo(expected, within(0.000_001));
        }
    }
}
