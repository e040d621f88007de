package dev.greenlight.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.config.Secrets;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The audit trail's hash chain on PostgreSQL and H2: one line under concurrent writers, and tampering found. */
class AuditChainTest {
    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("postgresql", (Supplier<TestDatabase>) TestDatabase::postgres),
                Arguments.of("h2", (Supplier<TestDatabase>) TestDatabase::h2));
    }

    private record Store(TestDatabase db, HikariDataSource ds, Jdbc jdbc, AuditLog audit, AuditChain chain)
            implements AutoCloseable {
        static Store open(TestDatabase db) {
            HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 8);
            Jdbc jdbc = new Jdbc(ds);
            return new Store(db, ds, jdbc, new AuditLog(jdbc, Clock.systemUTC(), new Secrets(n -> null)),
                    new AuditChain(jdbc));
        }

        @Override
        public void close() throws SQLException {
            ds.close();
            db.close();
        }
    }

    private static AuditEvent entry(int n) {
        return AuditEvent.of("deployer", "deployment.queued", "accepted").target("shop", "staging", "v" + n)
                .deployment((long) n).source("10.0.0." + (n % 250)).detail("entry " + n + " | with ünïcode");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void concurrentWritersMakeOneLineThatVerifies(String kind, Supplier<TestDatabase> database) throws Exception {
        try (Store s = Store.open(database.get())) {
            assertThat(s.chain().verify()).isEqualTo(ChainVerdict.intact(0, 0, null, null));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    writers.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            int n = thread * 100 + i;
                            if (i % 5 == 0) {
                                // two entries of one transaction, and a transaction that rolls back: no entry, no gap
                                s.jdbc().inTransaction(c -> {
                                    s.audit().record(c, entry(n));
                                    s.audit().record(c, entry(n + 50));
                                    return null;
                                });
                                try {
                                    s.jdbc().inTransaction(c -> {
                                        s.audit().record(c, entry(-1));
                                        throw new IllegalStateException("rolled back");
                                    });
                                } catch (IllegalStateException expected) {
                                    // nothing of it is written
                                }
                            } else {
                                s.audit().record(entry(n));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> w : writers) w.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            List<Map<String, Object>> rows = Sql.rows(s.db(), "select id, chain_seq, prev_hash, hash from audit_log "
                    + "order by id");
            assertThat(rows).hasSize(8 * 30);
            for (int i = 0; i < rows.size(); i++) {
                assertThat(((Number) rows.get(i).get("chain_seq")).longValue()).isEqualTo(i + 1);
                assertThat(rows.get(i).get("prev_hash")).isEqualTo(i == 0 ? null : rows.get(i - 1).get("hash"));
            }
            ChainVerdict v = s.chain().verify();
            assertThat(v.valid()).as(v.reason()).isTrue();
            assertThat(v.entries()).isEqualTo(240);
            assertThat(v.lastEntry()).isEqualTo(((Number) rows.get(239).get("id")).longValue());
            assertThat(v.lastHash()).isEqualTo(rows.get(239).get("hash")).hasSize(64);
        }
    }

    /**
     * The head is locked right before the commit, after every other lock of the transaction: a transaction that
     * audits and then waits for a row another one holds does not keep that one from auditing and committing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aTransactionThatAuditedAndWaitsForALockDoesNotBlockTheHolderFromAuditing(String kind,
            Supplier<TestDatabase> database) throws Exception {
        try (Store s = Store.open(database.get())) {
            Sql.update(s.db(), "insert into environment_state (app, environment) values ('shop', 'staging')");
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            String lock = "select app from environment_state where app = 'shop' for update";
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> s.jdbc().inTransaction(c -> {
                Jdbc.query(c, lock, rs -> rs.getString(1));
                held.countDown();
                pause(waiting); // the other is now blocked on the row, with its entry recorded
                s.audit().record(c, entry(1));
                return null;
            }));
            held.await(10, TimeUnit.SECONDS);
            s.jdbc().inTransaction(c -> {
                s.audit().record(c, entry(2));
                waiting.countDown();
                Jdbc.query(c, lock, rs -> rs.getString(1));
                return null;
            });
            holder.get(10, TimeUnit.SECONDS);
            assertThat(Sql.rows(s.db(), "select version from audit_log order by id")).extracting(r -> r.get("version"))
                    .containsExactly("v1", "v2");
            assertThat(s.chain().verify().valid()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anAlteredEntryIsNamed(String kind, Supplier<TestDatabase> database) throws Exception {
        try (Store s = Store.open(database.get())) {
            List<Long> ids = write(s, 5);
            tamper(s.db(), "update audit_log set detail = 'nothing to see' where id = " + ids.get(2));
            ChainVerdict v = s.chain().verify();
            assertThat(v.valid()).isFalse();
            assertThat(v.firstBadEntry()).isEqualTo(ids.get(2));
            assertThat(v.reason()).contains("altered");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anAlteredEntryWhoseHashWasRecomputedShowsAtTheNextEntry(String kind, Supplier<TestDatabase> database)
            throws Exception {
        try (Store s = Store.open(database.get())) {
            List<Long> ids = write(s, 5);
            Map<String, Object> row = Sql.rows(s.db(), "select * from audit_log where id = ?", ids.get(1)).get(0);
            AuditEvent altered = new AuditEvent(null, instant(row.get("at")), "someone-else",
                    (String) row.get("action"), (String) row.get("app"), (String) row.get("environment"),
                    (String) row.get("version"), ((Number) row.get("deployment_id")).longValue(),
                    (String) row.get("outcome"), (String) row.get("detail"), (String) row.get("source"));
            String rehash = AuditHash.of(altered, 2, (String) row.get("prev_hash"));
            tamper(s.db(), "update audit_log set actor = 'someone-else', hash = '" + rehash + "' where id = " + ids.get(1));
            ChainVerdict v = s.chain().verify();
            assertThat(v.firstBadEntry()).isEqualTo(ids.get(2));
            assertThat(v.reason()).contains("does not follow entry " + ids.get(1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aRemovedEntryShowsAtTheNextOne(String kind, Supplier<TestDatabase> database) throws Exception {
        try (Store s = Store.open(database.get())) {
            List<Long> ids = write(s, 5);
            tamper(s.db(), "delete from audit_log where id = " + ids.get(2));
            ChainVerdict v = s.chain().verify();
            assertThat(v.firstBadEntry()).isEqualTo(ids.get(3));
            assertThat(v.reason()).contains("after entry " + ids.get(1)).contains("(#3)").contains("missing");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void removingTheLastEntriesIsFoundFromTheHead(String kind, Supplier<TestDatabase> database) throws Exception {
        try (Store s = Store.open(database.get())) {
            List<Long> ids = write(s, 5);
            tamper(s.db(), "delete from audit_log where id >= " + ids.get(3));
            ChainVerdict v = s.chain().verify();
            assertThat(v.firstBadEntry()).isEqualTo(ids.get(4));
            assertThat(v.reason()).contains("the last 2 entries were removed");
        }
    }

    /** Entries from before the chain: counted when it begins, never hashed; removing one is found by the count. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void entriesFromBeforeTheChainAreCountedAndTheChainStartsAfterThem(String kind, Supplier<TestDatabase> database)
            throws Exception {
        TestDatabase db = database.get();
        var flyway = Flyway.configure().dataSource(db.url(), db.user(), "")
                .locations("classpath:db/migration/common", "classpath:db/migration/" + kind);
        if (db.schema() != null) flyway.schemas(db.schema()).createSchemas(true);
        // every migration before the chain's, whichever of them this build has
        MigrationVersion chain = MigrationVersion.fromVersion("12");
        MigrationVersion before = Stream.of(flyway.load().info().all()).map(m -> m.getVersion())
                .filter(version -> version.isNewerThan(MigrationVersion.EMPTY) && chain.isNewerThan(version.getVersion()))
                .max(MigrationVersion::compareTo).orElseThrow();
        flyway.target(before).load().migrate();
        for (int i = 0; i < 3; i++) {
            Sql.update(db, "insert into audit_log (at, actor, action, outcome) values (current_timestamp, 'old', "
                    + "'deployment.queued', 'accepted')");
        }
        try (Store s = Store.open(db)) {
            assertThat(s.chain().verify()).isEqualTo(ChainVerdict.intact(0, 3, null, null));
            List<Long> ids = write(s, 2);
            ChainVerdict v = s.chain().verify();
            assertThat(v.valid()).as(v.reason()).isTrue();
            assertThat(v.entries()).isEqualTo(2);
            assertThat(v.legacyEntries()).isEqualTo(3);
            assertThat(v.lastEntry()).isEqualTo(ids.get(1));

            tamper(db, "delete from audit_log where actor = 'old' and id = (select min(id) from audit_log)");
            v = s.chain().verify();
            assertThat(v.valid()).isFalse();
            assertThat(v.firstBadEntry()).isNull();
            assertThat(v.reason()).contains("3 entries from before the chain").contains("2 are there");
        }
    }

    private static java.time.Instant instant(Object at) {
        return at instanceof java.sql.Timestamp t ? t.toInstant() : ((java.time.OffsetDateTime) at).toInstant();
    }

    private static void pause(CountDownLatch waiting) {
        try {
            waiting.await(10, TimeUnit.SECONDS);
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Long> write(Store s, int n) {
        for (int i = 1; i <= n; i++) s.audit().record(entry(i));
        List<Long> ids = Sql.rows(s.db(), "select id from audit_log where hash is not null order by id").stream()
                .map(r -> ((Number) r.get("id")).longValue()).toList();
        assertThat(s.chain().verify().valid()).isTrue();
        return ids;
    }

    /** What a database superuser can do: switch the append-only trigger off, then change the table. */
    static void tamper(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(db.kind().equals("h2") ? "drop trigger if exists audit_log_append_only"
                    : "alter table audit_log disable trigger audit_log_append_only");
            st.execute(sql);
        }
    }
}
