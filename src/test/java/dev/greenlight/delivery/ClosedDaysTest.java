package dev.greenlight.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.deploy.DeploymentDurations;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Scope;
import dev.greenlight.testing.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Folding the closed days of {@link DeliveryMetricsTest}'s history: which days close, each deployment folded once,
 * and a deployment stored into a day already folded (as only a row written by hand can be) counted raw until the
 * next fold takes it, never twice and never lost.
 */
class ClosedDaysTest {
    static final MetricsQuery WINDOW = new MetricsQuery(Scope.EVERYTHING, null, null, DeliveryMetricsTest.FROM,
            DeliveryMetricsTest.TO);

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of(Named.<Supplier<TestDatabase>>of("PostgreSQL", TestDatabase::postgres)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("H2", TestDatabase::h2)));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDayClosesOnceSettledAndEveryEarlierDeploymentHasEnded(Supplier<TestDatabase> kind) throws Exception {
        DeliveryMetricsTest.onSeededHistory(kind, 2, ds -> {
            Jdbc jdbc = new Jdbc(ds);
            // 2026-03-21 00:30: the 20th ended only half an hour ago, and #8 of the 20th still runs: up to the 19th
            assertThat(new ClosedDays(jdbc, at("2026-03-21T00:30:00Z")).fold()).isPositive();
            assertThat(folded(jdbc)).isEqualTo(new ClosedDays.Folded(day("2026-03-20"), 13));
            assertThat(foldedDeployments(jdbc)).as("all but #8").isEqualTo(12);
            assertThat(new ClosedDays(jdbc, at("2026-03-21T00:30:00Z")).fold()).as("nothing new").isZero();

            // #8 ends; two days on, the 20th and the 21st are closed, and the 22nd once an hour has passed
            finish(jdbc, 8, "succeeded");
            new ClosedDays(jdbc, at("2026-03-23T00:59:00Z")).fold();
            assertThat(folded(jdbc)).isEqualTo(new ClosedDays.Folded(day("2026-03-22"), 13));
            assertThat(foldedDeployments(jdbc)).isEqualTo(13);
            assertThat(figures(jdbc).outcomes().succeeded()).as("#8 counted once, folded").isEqualTo(7);
        });
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aDeploymentStoredIntoAFoldedDayIsReadRawUntilTheNextFoldTakesIt(Supplier<TestDatabase> kind) throws Exception {
        DeliveryMetricsTest.onSeededHistory(kind, 2, ds -> {
            Jdbc jdbc = new Jdbc(ds);
            ClosedDays days = new ClosedDays(jdbc, DeliveryMetricsTest.AFTER);
            days.fold();
            DeliveryFigures before = figures(jdbc);

            // into the 12th, folded: one that ran 1000 s, and one still running (stored before it, a smaller id)
            long running = insert(jdbc, "running", "2026-03-12T10:00:00Z");
            long late = insert(jdbc, "succeeded", "2026-03-12T11:00:00Z");
            DeliveryFigures raw = figures(jdbc);
            assertThat(raw.outcomes().total()).isEqualTo(before.outcomes().total() + 2);
            assertThat(raw.timeToDeploy().count()).isEqualTo(before.timeToDeploy().count() + 1);

            // the running one holds the fold back: neither is folded, both still counted, once
            days.fold();
            assertThat(folded(jdbc).maxId()).isEqualTo(running - 1);
            assertThat(figures(jdbc)).isEqualTo(raw);

            finish(jdbc, running, "failed");
            days.fold();
            assertThat(folded(jdbc).maxId()).isEqualTo(late);
            DeliveryFigures after = figures(jdbc);
            assertThat(after.outcomes().total()).isEqualTo(raw.outcomes().total());
            assertThat(after.outcomes().failed()).isEqualTo(raw.outcomes().failed() + 1);
            assertThat(after.timeToDeploy()).isEqualTo(raw.timeToDeploy());
            assertThat(after.days()).isEqualTo(raw.days());
            assertThat(foldedDeployments(jdbc)).isEqualTo(14);
        });
    }

    /** Two instances folding at once: whichever moves the state row first folds, the other adds nothing. */
    @ParameterizedTest
    @MethodSource("databases")
    void twoFoldsAtOnceFoldEachDeploymentOnce(Supplier<TestDatabase> kind) throws Exception {
        DeliveryMetricsTest.onSeededHistory(kind, 4, ds -> {
            Jdbc jdbc = new Jdbc(ds);
            DeliveryFigures raw = figures(jdbc);
            ExecutorService two = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 10; round++) {
                    jdbc.update("delete from deployment_days");
                    jdbc.update("update deployment_days_folded set closed_before = 0, max_id = 0");
                    CyclicBarrier start = new CyclicBarrier(2);
                    Callable<Integer> fold = () -> {
                        start.await();
                        return new ClosedDays(jdbc, DeliveryMetricsTest.AFTER).fold();
                    };
                    Future<Integer> a = two.submit(fold);
                    Future<Integer> b = two.submit(fold);
                    assertThat(a.get() + b.get()).as("day rows written in round %d", round).isPositive();
                    assertThat(foldedDeployments(jdbc)).as("round %d", round).isEqualTo(12);
                    assertThat(figures(jdbc)).isEqualTo(raw);
                }
            } finally {
                two.shutdownNow();
            }
        });
    }

    static DeliveryFigures figures(Jdbc jdbc) {
        return new DeliveryMetrics(jdbc).figures(WINDOW);
    }

    static ClosedDays.Folded folded(Jdbc jdbc) {
        return jdbc.inTransaction(ClosedDays.Folded::read);
    }

    static long foldedDeployments(Jdbc jdbc) {
        return jdbc.query("select coalesce(sum(total), 0) from deployment_days", rs -> rs.getLong(1)).get(0);
    }

    static long insert(Jdbc jdbc, String status, String created) {
        return jdbc.inTransaction(c -> {
            long id = new DeliveryMetricsTest.History(c).deployment("shop", "staging", "push", status, created,
                    "running".equals(status) ? -1 : 1000, null, null);
            DeploymentDurations.write(c, id);
            return id;
        });
    }

    static void finish(Jdbc jdbc, long id, String status) {
        jdbc.inTransaction(c -> {
            Jdbc.update(c, "update deployments set status = ?, finished_at = created_at + interval '1000' second "
                    + "where id = ?", status, id);
            DeploymentDurations.write(c, id);
            return null;
        });
    }

    static long day(String date) {
        return java.time.LocalDate.parse(date).toEpochDay();
    }

    static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }
}
