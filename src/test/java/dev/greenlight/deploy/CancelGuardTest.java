package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.config.Secrets;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.TestDatabase;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-over from "a cancel can still be honoured" to "too late" is one guarded update on each side: a cancel
 * request and the pipeline's last cancel point can never both succeed, on either database.
 */
class CancelGuardTest {
    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of(Named.<Supplier<TestDatabase>>of("PostgreSQL", TestDatabase::postgres)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("H2", TestDatabase::h2)));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCancelRequestAndTheLastCancelPointNeverBothWin(Supplier<TestDatabase> database) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (TestDatabase db = database.get();
             HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 4)) {
            DeploymentStore store = new DeploymentStore(new Jdbc(ds), Clock.systemUTC(), new Secrets(name -> null));
            for (int round = 0; round < 30; round++) {
                long id = running(store);
                CyclicBarrier start = new CyclicBarrier(2);
                CompletableFuture<Boolean> cancel = CompletableFuture.supplyAsync(() -> {
                    await(start);
                    return store.requestCancel(id);
                }, threads);
                CompletableFuture<Boolean> finishing = CompletableFuture.supplyAsync(() -> {
                    await(start);
                    return store.closeCancels(id, CancelClosed.FINISHING, true);
                }, threads);

                assertThat(cancel.join() ^ finishing.join()).as("round " + round + ": exactly one wins").isTrue();
                assertThat(store.cancelRequested(id)).isEqualTo(cancel.join());
                assertThat(store.cancelsClosed(id).isPresent()).isEqualTo(finishing.join());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRollbackClosesCancelsEvenAfterOneWasRequested(Supplier<TestDatabase> database) throws Exception {
        try (TestDatabase db = database.get();
             HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 4)) {
            DeploymentStore store = new DeploymentStore(new Jdbc(ds), Clock.systemUTC(), new Secrets(name -> null));
            long id = running(store);
            assertThat(store.requestCancel(id)).isTrue();

            assertThat(store.closeCancels(id, CancelClosed.FINISHING, true)).as("a requested cancel must be honoured")
                    .isFalse();
            assertThat(store.closeCancels(id, CancelClosed.ROLLING_BACK, false)).isTrue();
            assertThat(store.requestCancel(id)).isFalse();
            assertThat(store.cancelsClosed(id)).contains(CancelClosed.ROLLING_BACK);
        }
    }

    private static long running(DeploymentStore store) {
        long id = store.inTransaction(c -> store.create(c, new DeploymentRequest("shop", "staging", "1.0.0", null,
                "rolling", TriggerKind.MANUAL, "ci", null, null, null)).id());
        assertThat(store.transition(id, DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null)).isTrue();
        return id;
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
