package dev.greenlight.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.deploy.DeploymentDurations;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Scope;
import dev.greenlight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The delivery figures of a small seeded history, worked out by hand below, on both databases. The window is the 30
 * days up to Friday 2026-03-20 12:00 UTC.
 */
class DeliveryMetricsTest {
    static final Instant TO = Instant.parse("2026-03-20T12:00:00Z");
    static final Instant FROM = Instant.parse("2026-02-18T12:00:00Z");

    /** Two days after the window: every day of the history before #8's (still running) is closed. */
    static final Clock AFTER = Clock.fixed(Instant.parse("2026-03-22T00:00:00Z"), ZoneOffset.UTC);

    /**
     * Each database, read raw (nothing folded) and with the closed days folded: the figures are the same either way.
     * Folded, the window's whole days up to 2026-03-19 come from deployment_days, its first half-day and 2026-03-20
     * (not closed: #8 is running) from the deployments.
     */
    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of(Named.<Supplier<TestDatabase>>of("PostgreSQL", TestDatabase::postgres), Named.of("raw", false)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("PostgreSQL", TestDatabase::postgres), Named.of("folded", true)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("H2", TestDatabase::h2), Named.of("raw", false)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("H2", TestDatabase::h2), Named.of("folded", true)));
    }

    /** What a test does on a fresh database holding the seeded history. */
    interface OnHistory {
        void run(HikariDataSource ds) throws Exception;
    }

    /** {@code test} on a fresh database of {@code kind} (a pool of {@code connections}) with the history seeded. */
    static void onSeededHistory(Supplier<TestDatabase> kind, int connections, OnHistory test) throws Exception {
        try (TestDatabase db = kind.get();
             HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), connections)) {
            seed(new Jdbc(ds));
            test.run(ds);
        }
    }

    /** Folds the closed days when asked to; a fold of this history writes some day rows. */
    static void foldIf(boolean folded, HikariDataSource ds) {
        if (folded) assertThat(new ClosedDays(new Jdbc(ds), AFTER).fold()).isPositive();
    }

    /**
     * The history. shop/staging: #1 push, succeeded in 100 s, committed 400 s before it succeeded; #2 manual,
     * succeeded in 200 s, rolled back by hand later (#9); #3 push, succeeded in 300 s, committed 900 s before; #4
     * failed; #5 rolled back 120 s after the rollback began; #6 rollback failed; #7 cancelled; #8 still running; #9 the
     * manual rollback of #2, succeeded in 400 s. shop/production: #10 rolled back 300 s after the rollback began.
     * blog/staging: #11 succeeded in 500 s, #12 in 100 s. Outside the window: #13, succeeded, shop/staging.
     */
    static void seed(Jdbc jdbc) {
        jdbc.inTransaction(c -> {
            long two = 0;
            History h = new History(c);
            h.deployment("shop", "staging", "push", "succeeded", "2026-03-19T10:00:00Z", 100, "2026-03-19T09:55:00Z", null);
            two = h.deployment("shop", "staging", "manual", "succeeded", "2026-03-18T10:00:00Z", 200, null, null);
            h.deployment("shop", "staging", "push", "succeeded", "2026-03-18T11:00:00Z", 300, "2026-03-18T10:50:00Z", null);
            h.deployment("shop", "staging", "manual", "failed", "2026-03-17T10:00:00Z", 50, null, null);
            long five = h.deployment("shop", "staging", "push", "rolled_back", "2026-03-17T11:00:00Z", 180, null, null);
            h.rollingBack(five, "2026-03-17T11:01:00Z");
            long six = h.deployment("shop", "staging", "manual", "rollback_failed", "2026-03-16T10:00:00Z", 600, null, null);
            h.rollingBack(six, "2026-03-16T10:01:00Z");
            h.deployment("shop", "staging", "manual", "cancelled", "2026-03-15T10:00:00Z", 5, null, null);
            h.deployment("shop", "staging", "manual", "running", "2026-03-20T11:00:00Z", -1, null, null);
            h.deployment("shop", "staging", "rollback", "succeeded", "2026-03-19T12:00:00Z", 400, null, two);
            long ten = h.deployment("shop", "production", "release", "rolled_back", "2026-03-10T10:00:00Z", 600, null, null);
            h.rollingBack(ten, "2026-03-10T10:05:00Z");
            h.deployment("blog", "staging", "push", "succeeded", "2026-03-14T10:00:00Z", 500, null, null);
            h.deployment("blog", "staging", "push", "succeeded", "2026-03-14T12:00:00Z", 100, null, null);
            h.deployment("shop", "staging", "push", "succeeded", "2026-02-10T10:00:00Z", 100, "2026-02-10T09:00:00Z", null);
            // the durations each deployment's end stores, from the times above
            for (long id : Jdbc.query(c, "select id from deployments", rs -> rs.getLong(1))) {
                DeploymentDurations.write(c, id);
            }
            return null;
        });
    }

    /** Inserts rows as the service writes them (the durations are written once the history is in). */
    record History(java.sql.Connection c) {
        long deployment(String app, String environment, String trigger, String status, String created,
                        int secondsToFinish, String commitTime, Long rollbackOf) throws java.sql.SQLException {
            Instant at = Instant.parse(created);
            return Jdbc.insert(c, "insert into deployments (app, environment, version, strategy, trigger_kind, "
                            + "triggered_by, status, rollback_of, created_at, started_at, finished_at, commit_time) "
                            + "values (?, ?, ?, 'rolling', ?, 'tester', ?, ?, ?, ?, ?, ?)", app, environment, "v-" + created,
                    trigger, status, rollbackOf, at, at.plusSeconds(1),
                    secondsToFinish < 0 ? null : at.plusSeconds(secondsToFinish),
                    commitTime == null ? null : Instant.parse(commitTime));
        }

        void rollingBack(long id, String at) throws java.sql.SQLException {
            Jdbc.update(c, "insert into audit_log (at, actor, action, deployment_id, outcome) "
                    + "values (?, 'greenlight', 'deployment.rolling_back', ?, 'rolling_back')", Instant.parse(at), id);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void everyFigureOfTheSeededHistoryAsWorkedOutByHand(Supplier<TestDatabase> kind, boolean folded) throws Exception {
        onSeededHistory(kind, 2, ds -> {
            foldIf(folded, ds);
            DeliveryFigures f = new DeliveryMetrics(new Jdbc(ds)).figures(
                    new MetricsQuery(Scope.EVERYTHING, null, null, FROM, TO));

            Outcomes o = f.outcomes();
            assertThat(o).isEqualTo(new Outcomes(12, 6, 1, 2, 1, 1, 1, 1));
            assertThat(o.finished()).isEqualTo(10);
            assertThat(o.unfinished()).isEqualTo(1);
            assertThat(o.shareOfFinished(o.succeeded())).isEqualTo(0.6);
            // failed #4, rolled back #5 and #10, rollback failed #6, and #2, rolled back by hand
            assertThat(o.changeFailures()).isEqualTo(5);
            assertThat(o.shareOfFinished(o.changeFailures())).isEqualTo(0.5);
            assertThat(o.automaticRollbacks()).isEqualTo(3);

            // 100, 100, 200, 300, 400, 500: mean 1600/6; p50 halfway between 200 and 300; p90 at 4.5 of 0..5
            assertThat(f.timeToDeploy().count()).isEqualTo(6);
            assertThat(f.timeToDeploy().meanSeconds()).isCloseTo(266.667, within(0.001));
            assertThat(f.timeToDeploy().p50Seconds()).isEqualTo(250.0);
            assertThat(f.timeToDeploy().p90Seconds()).isEqualTo(450.0);
            // 120 and 300: p90 is 120 + 0.9 * 180
            assertThat(f.timeToRecovery()).isEqualTo(new DurationSummary(2, 210.0, 210.0, 282.0));
            // 400 and 900 (#13's commit is outside the window)
            assertThat(f.leadTime()).isEqualTo(new DurationSummary(2, 650.0, 650.0, 850.0));

            assertThat(f.days()).containsExactly(
                    new Bucket(LocalDate.parse("2026-03-10"), 1, 0),
                    new Bucket(LocalDate.parse("2026-03-14"), 2, 2),
                    new Bucket(LocalDate.parse("2026-03-15"), 1, 0),
                    new Bucket(LocalDate.parse("2026-03-16"), 1, 0),
                    new Bucket(LocalDate.parse("2026-03-17"), 2, 0),
                    new Bucket(LocalDate.parse("2026-03-18"), 2, 2),
                    new Bucket(LocalDate.parse("2026-03-19"), 2, 2),
                    new Bucket(LocalDate.parse("2026-03-20"), 1, 0));
            // ISO weeks: Monday 9 March (10th, 14th, Sunday 15th) and Monday 16 March (16th to 20th)
            assertThat(f.weeks()).containsExactly(
                    new Bucket(LocalDate.parse("2026-03-09"), 4, 2),
                    new Bucket(LocalDate.parse("2026-03-16"), 8, 4));
        });
    }

    /**
     * The days are UTC days whatever the sessions' time zone: at UTC+14 every deployment of the history (10:00 to
     * 12:00 UTC) falls on the next local day, which is what a day taken in the session's zone would show.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void theDaysAreUtcDaysWhateverTheSessionTimeZone(Supplier<TestDatabase> kind, boolean folded) throws Exception {
        onSeededHistory(kind, 2, ds -> {
            try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) { // every pooled session
                for (Connection c : List.of(a, b)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("set time zone 'Pacific/Kiritimati'");
                    }
                }
            }
            foldIf(folded, ds); // the fold's days are UTC days too
            DeliveryFigures f = new DeliveryMetrics(new Jdbc(ds)).figures(
                    new MetricsQuery(Scope.EVERYTHING, null, null, FROM, TO));
            assertThat(f.days()).extracting(Bucket::start).extracting(LocalDate::toString).containsExactly(
                    "2026-03-10", "2026-03-14", "2026-03-15", "2026-03-16", "2026-03-17", "2026-03-18", "2026-03-19",
                    "2026-03-20");
            assertThat(f.weeks()).extracting(Bucket::start).extracting(LocalDate::toString)
                    .containsExactly("2026-03-09", "2026-03-16");
        });
    }

    @ParameterizedTest
    @MethodSource("databases")
    void filtersAndTheReadersScopeNarrowEveryFigure(Supplier<TestDatabase> kind, boolean folded) throws Exception {
        onSeededHistory(kind, 2, ds -> {
            foldIf(folded, ds);
            DeliveryMetrics metrics = new DeliveryMetrics(new Jdbc(ds));

            DeliveryFigures shopStaging = metrics.figures(new MetricsQuery(Scope.EVERYTHING, "shop", "staging", FROM, TO));
            assertThat(shopStaging.outcomes()).isEqualTo(new Outcomes(9, 4, 1, 1, 1, 1, 1, 1));
            assertThat(shopStaging.timeToRecovery()).isEqualTo(new DurationSummary(1, 120.0, 120.0, 120.0));
            assertThat(shopStaging.timeToDeploy()).isEqualTo(new DurationSummary(4, 250.0, 250.0, 370.0));

            // a reader of staging only sees neither production's rollback nor anything else of production
            DeliveryFigures staging = metrics.figures(new MetricsQuery(new Scope(null, Set.of("staging")), null, null,
                    FROM, TO));
            assertThat(staging.outcomes().total()).isEqualTo(11);
            assertThat(staging.outcomes().rolledBack()).isEqualTo(1);
            assertThat(metrics.figures(new MetricsQuery(new Scope(null, Set.of("staging")), "shop", "production",
                    FROM, TO)).outcomes().total()).isZero();

            DeliveryFigures blog = metrics.figures(new MetricsQuery(Scope.EVERYTHING, "blog", null, FROM, TO));
            assertThat(blog.outcomes()).isEqualTo(new Outcomes(2, 2, 0, 0, 0, 0, 0, 0));
            assertThat(blog.leadTime()).as("no commit time known").isEqualTo(new DurationSummary(0, null, null, null));
            assertThat(blog.timeToRecovery()).isEqualTo(new DurationSummary(0, null, null, null));
            assertThat(blog.outcomes().shareOfFinished(blog.outcomes().changeFailures())).isEqualTo(0.0);

            DeliveryFigures empty = metrics.figures(new MetricsQuery(Scope.EVERYTHING, "docs", null, FROM, TO));
            assertThat(empty.outcomes().total()).isZero();
            assertThat(empty.outcomes().shareOfFinished(0)).as("nothing finished: no rate").isNull();
            assertThat(empty.days()).isEmpty();
        });
    }
}
