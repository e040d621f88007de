package dev.greenlight.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The delivery memory on both databases: a claim lives and dies with the transaction that answers it. */
class WebhookDeliveriesTest {
    static final WebhookDeliveries.Answer ACCEPTED = new WebhookDeliveries.Answer(202, "{\"deployments\":[]}");

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of(Named.<Supplier<TestDatabase>>of("PostgreSQL", TestDatabase::postgres)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("H2", TestDatabase::h2)));
    }

    record Store(TestDatabase db, HikariDataSource ds, Jdbc jdbc, WebhookDeliveries deliveries) implements AutoCloseable {
        static Store open(TestDatabase db) {
            HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 4);
            return new Store(db, ds, new Jdbc(ds), new WebhookDeliveries(Clock.systemUTC()));
        }

        Optional<WebhookDeliveries.Answer> claim(String id) {
            return jdbc.inTransaction(c -> deliveries.claim(c, id, "push"));
        }

        /** Claims and answers {@code id} in one transaction, as the webhook does. */
        void claimAndAnswer(String id, WebhookDeliveries.Answer answer) {
            jdbc.inTransaction(c -> {
                assertThat(deliveries.claim(c, id, "push")).as("new").isEmpty();
                deliveries.answer(c, id, answer);
                return null;
            });
        }

        /** A transaction on its own connection that claimed {@code id} and is still open, as a copy in flight. */
        Connection openClaim(String id) throws Exception {
            Connection c = ds.getConnection();
            c.setAutoCommit(false);
            assertThat(deliveries.claim(c, id, "push")).isEmpty();
            return c;
        }

        @Override
        public void close() throws Exception {
            ds.close();
            db.close();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anAnsweredDeliveryGetsItsFirstAnswerAgain(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            s.claimAndAnswer("d-1", ACCEPTED);
            assertThat(s.claim("d-1")).hasValue(ACCEPTED);
            assertThat(s.claim("d-1")).hasValue(ACCEPTED);
            assertThat(s.claim("d-2")).as("another delivery").isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aClaimWhoseTransactionFailedLeavesNothing(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            assertThatThrownBy(() -> s.jdbc().inTransaction(c -> {
                s.deliveries().claim(c, "d-1", "push");
                throw new IllegalStateException("the queueing failed");
            })).isInstanceOf(IllegalStateException.class);

            assertThat(Sql.count(s.db(), "select count(*) from webhook_deliveries")).isZero();
            assertThat(s.claim("d-1")).as("processed afresh").isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCopyArrivingWhileTheFirstIsInFlightGetsTheFirstAnswerWhenItCommits(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            Connection first = s.openClaim("d-1");
            CompletableFuture<Optional<WebhookDeliveries.Answer>> copy = CompletableFuture.supplyAsync(() -> s.claim("d-1"));
            Thread.sleep(100); // the copy now waits on the first's row lock
            s.deliveries().answer(first, "d-1", ACCEPTED);
            first.commit();
            first.close();

            assertThat(copy.get(10, TimeUnit.SECONDS)).hasValue(ACCEPTED);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCopyArrivingWhileTheFirstIsInFlightIsProcessedAfreshWhenTheFirstDies(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            Connection first = s.openClaim("d-1");
            CompletableFuture<Optional<WebhookDeliveries.Answer>> copy = CompletableFuture.supplyAsync(() -> s.claim("d-1"));
            Thread.sleep(100);
            first.rollback(); // what the database does when the first's process dies before its commit
            first.close();

            assertThat(copy.get(10, TimeUnit.SECONDS)).as("claimed by the copy").isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aCopyIsNotHeldLongWhileTheFirstStaysInFlight(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            Connection first = s.openClaim("d-1");
            try {
                long started = System.nanoTime();
                assertThatThrownBy(() -> s.claim("d-1")).isInstanceOf(DeliveryInFlightException.class)
                        .hasMessageContaining("d-1 is still being processed");
                // 500 ms on PostgreSQL, H2's 2 s lock timeout; far below what an HTTP client waits
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(4000);
            } finally {
                first.rollback();
                first.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anUnansweredClaimLeftByAnEarlierVersionIsTakenOver(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            s.jdbc().update("insert into webhook_deliveries (delivery_id, received_at) values (?, ?)", "d-1",
                    Instant.now().minusSeconds(3600));

            s.claimAndAnswer("d-1", ACCEPTED);

            assertThat(s.claim("d-1")).hasValue(ACCEPTED);
            assertThat(Sql.count(s.db(), "select count(*) from webhook_deliveries")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void migrationFiveWidensCommitIdsAndForgetsClaimsThatNeverGotAnAnswer(Supplier<TestDatabase> kind) throws Exception {
        TestDatabase db = kind.get();
        try (HikariDataSource before = new HikariDataSource()) {
            before.setJdbcUrl(db.url());
            before.setUsername(db.user());
            if (db.schema() != null) before.setSchema(db.schema());
            var flyway = Flyway.configure().dataSource(before).target("3")
                    .locations("classpath:db/migration/common", "classpath:db/migration/" + db.kind());
            if (db.schema() != null) flyway.schemas(db.schema()).createSchemas(true);
            flyway.load().migrate();
            try (Connection c = before.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "insert into webhook_deliveries (delivery_id, event, received_at, response_status, response_body) "
                            + "values (?, 'push', ?, ?, ?)")) {
                Timestamp now = Timestamp.from(Instant.now());
                ps.setString(1, "stuck");
                ps.setTimestamp(2, now);
                ps.setNull(3, java.sql.Types.INTEGER);
                ps.setNull(4, java.sql.Types.VARCHAR);
                ps.executeUpdate();
                ps.setString(1, "answered");
                ps.setTimestamp(2, now);
                ps.setInt(3, 202);
                ps.setString(4, "{}");
                ps.executeUpdate();
            }
        }
        try (Store s = Store.open(db)) {
            assertThat(Sql.rows(db, "select delivery_id from webhook_deliveries"))
                    .extracting(r -> r.get("delivery_id")).containsExactly("answered");
            String sha256 = "a".repeat(64);
            s.jdbc().update("insert into deployments (app, environment, version, commit_sha, strategy, trigger_kind, "
                    + "triggered_by, status, created_at) values ('shop', 'staging', 'v1', ?, 'rolling', 'push', 'x', "
                    + "'queued', ?)", sha256, Instant.now());
            assertThat(Sql.rows(db, "select commit_sha from deployments")).extracting(r -> r.get("commit_sha"))
                    .containsExactly(sha256);
        }
    }
}
