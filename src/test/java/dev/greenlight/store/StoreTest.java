package dev.greenlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.Secrets;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentQueue;
import dev.greenlight.deploy.DeploymentRequest;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.EventOutbox;
import dev.greenlight.deploy.Step;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.deploy.TriggerKind;
import dev.greenlight.store.Page;
import dev.greenlight.testing.MovableClock;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store of record on both databases it supports: the same Flyway migrations, the same behaviour of every
 * repository, and an audit trail the database itself keeps append-only.
 */
class StoreTest {
    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of(Named.<Supplier<TestDatabase>>of("PostgreSQL", TestDatabase::postgres)),
                Arguments.of(Named.<Supplier<TestDatabase>>of("H2", TestDatabase::h2)));
    }

    /** The repositories over one freshly migrated database. */
    record Store(TestDatabase db, HikariDataSource ds, Jdbc jdbc, Secrets secrets, DeploymentStore deployments,
                 StepStore steps, AuditLog audit) implements AutoCloseable {
        static Store open(TestDatabase db) {
            HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 4);
            Jdbc jdbc = new Jdbc(ds);
            Secrets secrets = new Secrets(Map.of("TOKEN", "s3cr3t-token-value")::get);
            secrets.get("TOKEN", null);
            Clock clock = Clock.systemUTC();
            return new Store(db, ds, jdbc, secrets, new DeploymentStore(jdbc, clock, secrets), new StepStore(jdbc, clock, secrets),
                    new AuditLog(jdbc, clock, secrets));
        }

        EnvironmentLease lease(String holder, Duration ttl) {
            return new EnvironmentLease(jdbc, holder, ttl, audit);
        }

        Deployment queue(String app, String environment, String version) {
            return deployments.inTransaction(c -> deployments.create(c, new DeploymentRequest(app, environment, version,
                    null, "rolling", TriggerKind.MANUAL, "tester", null, null, null)));
        }

        @Override
        public void close() throws SQLException {
            ds.close();
            db.close();
        }
    }

    // ---- schema --------------------------------------------------------------------------------------------

    @Test
    void bothDatabasesGetTheSameTablesAndColumnsFromTheSameMigrations() throws Exception {
        try (Store pg = Store.open(TestDatabase.postgres()); Store h2 = Store.open(TestDatabase.h2())) {
            Map<String, List<String>> pgSchema = columns(pg.db());
            Map<String, List<String>> h2Schema = columns(h2.db());
            assertThat(pgSchema).containsOnlyKeys("deployments", "deployment_steps", "environment_state",
                    "webhook_deliveries", "audit_log", "deployment_events", "audit_log_truncate_guard",
                    "incident_reports", "color_stops", "notifications", "review_triggers", "audit_chain_head",
                    "deployment_days", "deployment_days_folded", "flyway_schema_history");
            assertThat(h2Schema).isEqualTo(pgSchema);
            assertThat(migrations(pg.db())).isEqualTo(migrations(h2.db())).containsExactly("1", "2", "3", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "18", "19");
        }
    }

    private static Map<String, List<String>> columns(TestDatabase db) throws SQLException {
        Map<String, List<String>> out = new TreeMap<>();
        try (Connection c = db.connect();
             ResultSet rs = c.getMetaData().getColumns(null, db.schema() != null ? db.schema() : "public", "%", "%")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString("TABLE_NAME").toLowerCase(), t -> new ArrayList<>())
                        .add(rs.getString("COLUMN_NAME").toLowerCase() + " " + (rs.getInt("NULLABLE") == 0 ? "not null" : "null"));
            }
        }
        out.values().forEach(l -> l.sort(String::compareTo));
        return out;
    }

    private static List<String> migrations(TestDatabase db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select \"version\" from flyway_schema_history where success and \"version\" is not null order by \"installed_rank\"")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("databases")
    void migratingAgainOnTheSameDatabaseKeepsEverything(Supplier<TestDatabase> kind) throws Exception {
        TestDatabase db = kind.get();
        try (Store first = Store.open(db)) {
            long id = first.queue("shop", "qa", "v1").id();
            try (HikariDataSource again = Database.open(db.url(), db.user(), null, db.schema(), 2)) {
                assertThat(new DeploymentStore(new Jdbc(again), Clock.systemUTC(), new Secrets(name -> null)).find(id)).isPresent();
            }
        }
    }

    /**
     * H2 writes a commit to its file only when WRITE_DELAY is 0; with its default (500 ms) a killed process loses
     * the last commits it had answered for (CrashDurabilityTest kills the real service to show it).
     */
    @Test
    void anH2FileDatabaseWritesEveryCommitToTheFileBeforeTheCommitReturns(@org.junit.jupiter.api.io.TempDir
                                                                           java.nio.file.Path dir) throws Exception {
        assertThat(Database.EMBEDDED_URL).endsWith(";WRITE_DELAY=0");
        String url = "jdbc:h2:file:" + dir.resolve("greenlight") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (HikariDataSource ds = Database.open(url, "sa", null, null, 2)) {
            assertThat(new Jdbc(ds).queryOne("select setting_value from information_schema.settings "
                    + "where setting_name = 'WRITE_DELAY'", rs -> rs.getString(1))).hasValue("0");
        }
        assertThat(Database.durableAtCommit(url + ";WRITE_DELAY=100")).as("an explicit choice is kept")
                .endsWith(";WRITE_DELAY=100");
        assertThat(Database.durableAtCommit("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1")).isEqualTo("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1");
        assertThat(Database.durableAtCommit(TestDatabase.DEFAULT_PG_URL)).isEqualTo(TestDatabase.DEFAULT_PG_URL);
    }

    // ---- outgoing events ----------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("databases")
    void outboxEventsGoOutOncePerClaimAndInOrderPerDeployment(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            MovableClock clock = new MovableClock();
            EventOutbox a = new EventOutbox(s.jdbc(), clock, "instance-a");
            EventOutbox b = new EventOutbox(s.jdbc(), clock, "instance-b");
            long one = s.queue("shop", "qa", "v1").id();
            long two = s.queue("shop", "staging", "v2").id();
            s.jdbc().inTransaction(c -> {
                a.record(c, one, EventOutbox.STARTED);
                a.record(c, two, EventOutbox.STARTED);
                a.record(c, one, EventOutbox.FINISHED);
                return null;
            });

            List<EventOutbox.Entry> firstRound = a.claim(10);
            // one's "finished" waits until its "started" is sent; what a holds, b cannot take
            assertThat(firstRound).extracting(EventOutbox.Entry::deploymentId, EventOutbox.Entry::kind)
                    .containsExactly(tuple(one, "started"),
                            tuple(two, "started"));
            assertThat(b.claim(10)).isEmpty();

            a.sent(firstRound.get(0).id());
            assertThat(b.claim(10)).extracting(EventOutbox.Entry::kind).containsExactly("finished");
            assertThat(a.claim(10)).as("claimed by b").isEmpty();

            // b dies holding one's "finished"; a (also holding two's "started" unsent) takes both once the claims lapse
            clock.advance(EventOutbox.CLAIM_LAPSES.plusSeconds(1));
            List<EventOutbox.Entry> retaken = a.claim(10);
            assertThat(retaken).extracting(EventOutbox.Entry::deploymentId).containsExactly(two, one);
            retaken.forEach(e -> a.sent(e.id()));
            assertThat(a.unsent()).isZero();
            assertThat(a.claim(10)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anEventLeftForALaterTryIsClaimedAgainOnlyFromItsRetryTimeAndCountsItsAttempts(Supplier<TestDatabase> kind)
            throws Exception {
        try (Store s = Store.open(kind.get())) {
            MovableClock clock = new MovableClock();
            EventOutbox outbox = new EventOutbox(s.jdbc(), clock, "instance-a");
            long id = s.queue("shop", "qa", "v1").id();
            s.jdbc().inTransaction(c -> {
                outbox.record(c, id, EventOutbox.INCIDENT);
                return null;
            });
            EventOutbox.Entry first = outbox.claim(10).get(0);
            assertThat(first.attempts()).isZero();

            outbox.retryLater(first.id(), clock.instant().plusSeconds(30));
            assertThat(outbox.claim(10)).as("not before its retry time").isEmpty();
            assertThat(outbox.unsent()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(31));
            List<EventOutbox.Entry> again = outbox.claim(10);
            assertThat(again).extracting(EventOutbox.Entry::id, EventOutbox.Entry::attempts)
                    .containsExactly(tuple(first.id(), 1));
            outbox.sent(first.id());
            assertThat(outbox.unsent()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anEventIsWrittenOnlyWithTheTransactionThatChangesTheStatus(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            EventOutbox outbox = new EventOutbox(s.jdbc(), Clock.systemUTC(), "instance-a");
            long id = s.queue("shop", "qa", "v1").id();

            assertThatThrownBy(() -> s.jdbc().inTransaction(c -> {
                outbox.record(c, id, EventOutbox.STARTED);
                throw new SQLException("the status change failed");
            })).hasMessageContaining("the status change failed");

            assertThat(outbox.unsent()).isZero();
        }
    }

    // ---- deployments ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("databases")
    void deploymentsAreStoredQueuedAndFoundAgain(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            Instant before = Instant.now();
            Deployment d = s.deployments().inTransaction(c -> s.deployments().create(c, new DeploymentRequest("shop",
                    "staging", "sha-6113728", "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "rolling", TriggerKind.PUSH,
                    "github:octocat", "push to main", null, "delivery-1")));

            Deployment found = s.deployments().find(d.id()).orElseThrow();
            assertThat(found).isEqualTo(d);
            assertThat(found.status()).isEqualTo(DeploymentStatus.QUEUED);
            assertThat(found.commitSha()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
            assertThat(found.triggerKind()).isEqualTo("push");
            assertThat(found.deliveryId()).isEqualTo("delivery-1");
            assertThat(found.rollbackOf()).isNull();
            assertThat(found.cancelRequested()).isFalse();
            assertThat(found.createdAt()).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
            assertThat(found.startedAt()).isNull();
            assertThat(s.deployments().find(d.id() + 1000)).isEmpty();
        }
    }

    @Test
    void onPostgresqlEnqueuesRunSideBySideAndThePickWaitsForTheOnesInFlight() throws Exception {
        try (Store s = Store.open(TestDatabase.postgres())) {
            s.lease("instance-a", Duration.ofMinutes(1)).register("shop", "qa");
            DeploymentQueue queue = new DeploymentQueue(s.deployments(), s.audit());
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
            java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch commit = new java.util.concurrent.CountDownLatch(1);
            try {
                // open until told to commit: holds the queue's lock
                java.util.concurrent.Future<Long> first = pool.submit(() -> s.deployments().inTransaction(c -> {
                    long id = queue.enqueue(c, request("v1"), "test").id();
                    opened.countDown();
                    try {
                        if (!commit.await(10, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("stuck");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return id;
                }));
                assertThat(opened.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

                // another enqueue of the same environment does not wait for it
                long later = pool.submit(() -> queue.enqueue(request("v2"), "test").id())
                        .get(5, java.util.concurrent.TimeUnit.SECONDS);
                // the dispatcher's pick does: were it not to, it would see only the later one and start it first
                java.util.concurrent.Future<Long> pick = pool.submit(() -> s.deployments().inTransaction(c -> {
                    s.deployments().lockQueue(c, "shop", "qa", true);
                    return s.deployments().nextQueued(c, "shop", "qa").orElseThrow().id();
                }));
                Thread.sleep(300);
                assertThat(pick).isNotDone();

                commit.countDown();
                long earlier = first.get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(pick.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(earlier).isLessThan(later);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static Optional<Deployment> nextQueued(Store s, String app, String environment) {
        return s.deployments().inTransaction(c -> s.deployments().nextQueued(c, app, environment));
    }

    private static DeploymentRequest request(String version) {
        return new DeploymentRequest("shop", "qa", version, null, "rolling", TriggerKind.MANUAL, "tester", null, null,
                null);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theQueueIsInArrivalOrderPerEnvironment(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            Deployment a1 = s.queue("shop", "qa", "a1");
            Deployment other = s.queue("shop", "staging", "o1");
            Deployment a2 = s.queue("shop", "qa", "a2");

            assertThat(nextQueued(s, "shop", "qa")).map(Deployment::id).hasValue(a1.id());
            String queuedIn = "select count(*) from deployments where app = ? and environment = ? and status = ?";
            assertThat(Sql.count(s.db(), queuedIn, "shop", "qa", DeploymentStatus.QUEUED.key())).isEqualTo(2);
            assertThat(Sql.count(s.db(), queuedIn, "blog", "qa", DeploymentStatus.QUEUED.key())).isZero();
            assertThat(s.deployments().transition(a1.id(), DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null)).isTrue();
            assertThat(nextQueued(s, "shop", "qa")).map(Deployment::id).hasValue(a2.id());
            assertThat(s.deployments().running("shop", "qa")).map(Deployment::id).hasValue(a1.id());
            assertThat(s.deployments().running("shop", "staging")).isEmpty();
            assertThat(Sql.rows(s.db(), "select id from deployments where status = ? order by id", DeploymentStatus.QUEUED.key()))
                    .extracting(row -> ((Number) row.get("id")).longValue())
                    .containsExactly(other.id(), a2.id());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aStatusChangeHappensOnlyFromTheExpectedStatus(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            long id = s.queue("shop", "qa", "v1").id();

            assertThat(s.deployments().transition(id, DeploymentStatus.RUNNING, DeploymentStatus.SUCCEEDED, "x")).isFalse();
            assertThat(s.deployments().find(id).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);

            assertThat(s.deployments().transition(id, DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null)).isTrue();
            Deployment running = s.deployments().find(id).orElseThrow();
            assertThat(running.startedAt()).isNotNull();
            assertThat(running.finishedAt()).isNull();
            assertThat(s.deployments().transition(id, DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null)).isFalse();

            assertThat(s.deployments().transition(id, DeploymentStatus.RUNNING, DeploymentStatus.ROLLING_BACK, "health failed")).isTrue();
            assertThat(s.deployments().transition(id, DeploymentStatus.ROLLING_BACK, DeploymentStatus.ROLLED_BACK, null)).isTrue();
            Deployment done = s.deployments().find(id).orElseThrow();
            assertThat(done.status()).isEqualTo(DeploymentStatus.ROLLED_BACK);
            assertThat(done.statusDetail()).as("a null detail keeps the last one").isEqualTo("health failed");
            assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void listsFilterByAppEnvironmentAndStatusNewestFirst(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            long a = s.queue("shop", "qa", "a").id();
            long b = s.queue("blog", "qa", "b").id();
            long c = s.queue("shop", "staging", "c").id();
            s.deployments().transition(c, DeploymentStatus.QUEUED, DeploymentStatus.CANCELLED, "cancelled");

            assertThat(s.deployments().list(Scope.EVERYTHING, null, null, null, null, Page.newest(10))).extracting(Deployment::id).containsExactly(c, b, a);
            assertThat(s.deployments().list(Scope.EVERYTHING, "shop", null, null, null, Page.newest(10))).extracting(Deployment::id).containsExactly(c, a);
            assertThat(s.deployments().list(Scope.EVERYTHING, null, "qa", null, null, Page.newest(10))).extracting(Deployment::id).containsExactly(b, a);
            assertThat(s.deployments().list(Scope.EVERYTHING, null, null, DeploymentStatus.CANCELLED, null, Page.newest(10))).extracting(Deployment::id).containsExactly(c);
            assertThat(s.deployments().list(Scope.EVERYTHING, null, null, null, null, Page.newest(1))).extracting(Deployment::id).containsExactly(c);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void cancellationCanBeRequestedOnlyBeforeTheEnd(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            long queued = s.queue("shop", "qa", "a").id();
            long done = s.queue("shop", "qa", "b").id();
            s.deployments().transition(done, DeploymentStatus.QUEUED, DeploymentStatus.CANCELLED, null);

            assertThat(s.deployments().requestCancel(queued)).isTrue();
            assertThat(s.deployments().cancelRequested(queued)).isTrue();
            assertThat(s.deployments().requestCancel(done)).isFalse();
            assertThat(s.deployments().cancelRequested(done)).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRollbackGoesBackToTheLastSucceededDeploymentBeforeIt(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            long v1 = s.queue("shop", "qa", "v1").id();
            long v2 = s.queue("shop", "qa", "v2").id();
            long v3 = s.queue("shop", "qa", "v3").id();
            for (long id : new long[] {v1, v2}) {
                s.deployments().transition(id, DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null);
                s.deployments().transition(id, DeploymentStatus.RUNNING, DeploymentStatus.SUCCEEDED, null);
            }
            assertThat(Sql.rows(s.db(), "select id, version from deployments where app = ? and environment = ? "
                    + "and status = ? order by id", "shop", "qa", DeploymentStatus.SUCCEEDED.key()))
                    .extracting(row -> ((Number) row.get("id")).longValue(), row -> row.get("version"))
                    .containsExactly(tuple(v1, "v1"), tuple(v2, "v2"));
            assertThat(s.deployments().find(v3).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);

            Deployment rollback = s.deployments().inTransaction(c -> s.deployments().create(c, new DeploymentRequest(
                    "shop", "qa", "v1", null, "rolling", TriggerKind.ROLLBACK, "deployer", "bad v2", v2, null)));
            assertThat(rollback.rollbackOf()).isEqualTo(v2);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFailedTransactionLeavesNothingBehind(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            assertThatThrownBy(() -> s.deployments().inTransaction(c -> {
                s.deployments().create(c, new DeploymentRequest("shop", "qa", "v1", null, "rolling", TriggerKind.MANUAL,
                        "tester", null, null, null));
                s.audit().record(c, AuditEvent.of("tester", "deployment.queued", "accepted"));
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            assertThat(s.deployments().list(Scope.EVERYTHING, null, null, null, null, Page.newest(10))).isEmpty();
            assertThat(s.audit().list(Scope.EVERYTHING, null, null, null, Page.newest(10))).isEmpty();
        }
    }

    // ---- steps ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("databases")
    void stepsAreOpenedAndClosedWithSecretsRedacted(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            long id = s.queue("shop", "qa", "v1").id();
            long open = s.steps().open(id, "deploy", "h1:2222", 2);
            long closed = s.steps().open(id, "health", "h1:2222", 1);
            s.steps().close(closed, false, 7, "token=s3cr3t-token-value\n" + "x".repeat(StepStore.OUTPUT_MAX), "failed with s3cr3t-token-value");

            List<Step> steps = s.steps().forDeployment(id);
            assertThat(steps).extracting(Step::id).containsExactly(open, closed);
            Step first = steps.get(0);
            assertThat(first.status()).isEqualTo("running");
            assertThat(first.attempt()).isEqualTo(2);
            assertThat(first.finishedAt()).isNull();
            assertThat(first.exitCode()).isNull();
            Step second = steps.get(1);
            assertThat(second.status()).isEqualTo("failed");
            assertThat(second.exitCode()).isEqualTo(7);
            assertThat(second.output()).hasSize(StepStore.OUTPUT_MAX).doesNotContain("s3cr3t-token-value");
            assertThat(second.detail()).isEqualTo("failed with ***");
            assertThat(s.steps().forDeployment(id + 1)).isEmpty();
        }
    }

    // ---- audit ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("databases")
    void theAuditTrailIsListedNewestFirstAndFiltered(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            s.audit().record(AuditEvent.of("a", "x", "ok").target("shop", "qa", "v1"));
            Thread.sleep(20);
            Instant since = Instant.now();
            Thread.sleep(20);
            s.audit().record(AuditEvent.of("b", "y", "ok").target("shop", "staging", "v2").deployment(7L).source("10.0.0.1"));
            s.audit().record(AuditEvent.of("c", "z", "ok").target("blog", "qa", null).detail("uses s3cr3t-token-value"));

            assertThat(s.audit().list(Scope.EVERYTHING, null, null, null, Page.newest(10))).extracting(AuditEvent::actor).containsExactly("c", "b", "a");
            assertThat(s.audit().list(Scope.EVERYTHING, "shop", null, null, Page.newest(10))).extracting(AuditEvent::actor).containsExactly("b", "a");
            assertThat(s.audit().list(Scope.EVERYTHING, null, "qa", null, Page.newest(10))).extracting(AuditEvent::actor).containsExactly("c", "a");
            assertThat(s.audit().list(Scope.EVERYTHING, null, null, since, Page.newest(10))).extracting(AuditEvent::actor).containsExactly("c", "b");
            assertThat(s.audit().list(Scope.EVERYTHING, null, null, null, Page.newest(1))).extracting(AuditEvent::actor).containsExactly("c");
            AuditEvent b = s.audit().list(Scope.EVERYTHING, "shop", "staging", null, Page.newest(10)).get(0);
            assertThat(b.deploymentId()).isEqualTo(7L);
            assertThat(b.source()).isEqualTo("10.0.0.1");
            assertThat(b.version()).isEqualTo("v2");
            assertThat(s.audit().list(Scope.EVERYTHING, "blog", null, null, Page.newest(10)).get(0).detail()).isEqualTo("uses ***");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theDatabaseRefusesToChangeOrRemoveAnAuditEntry(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            s.audit().record(AuditEvent.of("deployer", "deployment.queued", "accepted").target("shop", "qa", "v1"));
            try (Connection c = s.db().connect(); Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.executeUpdate("update audit_log set actor = 'someone-else'"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
                assertThatThrownBy(() -> st.executeUpdate("delete from audit_log"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
                assertThatThrownBy(() -> st.executeUpdate("delete from audit_log where actor = 'deployer'"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            }
            // and through the service's own pool too
            assertThatThrownBy(() -> s.jdbc().update("update audit_log set outcome = ? where actor = ?", "x", "deployer"))
                    .isInstanceOf(StoreException.class).hasMessageContaining("append-only");
            assertThat(s.audit().list(Scope.EVERYTHING, null, null, null, Page.newest(10))).singleElement()
                    .satisfies(e -> assertThat(e.actor()).isEqualTo("deployer"))
                    .satisfies(e -> assertThat(e.outcome()).isEqualTo("accepted"));
            // appending still works
            s.audit().record(AuditEvent.of("deployer", "deployment.queued", "accepted"));
            assertThat(s.audit().list(Scope.EVERYTHING, null, null, null, Page.newest(10))).hasSize(2);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void overlongValuesAreCutToTheirColumns(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            s.audit().record(AuditEvent.of("a".repeat(500), "b".repeat(500), "c".repeat(500))
                    .target("d".repeat(500), "e".repeat(500), "f".repeat(500)).detail("g".repeat(5000)).source("h".repeat(500)));
            AuditEvent e = s.audit().list(Scope.EVERYTHING, null, null, null, Page.newest(1)).get(0);
            assertThat(e.actor()).hasSize(128);
            assertThat(e.app()).hasSize(64);
            assertThat(e.version()).hasSize(128);
            assertThat(e.detail()).hasSize(2000);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void instantsSurviveAJvmThatIsNotOnUtc(Supplier<TestDatabase> kind) throws Exception {
        java.util.TimeZone original = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Pacific/Chatham")); // UTC+12:45 or +13:45
        try (Store s = Store.open(kind.get())) {
            Instant before = Instant.now();
            long id = s.queue("shop", "qa", "v1").id();
            s.audit().record(AuditEvent.of("a", "x", "ok"));
            Instant after = Instant.now();

            assertThat(s.deployments().find(id).orElseThrow().createdAt())
                    .isBetween(before.minusSeconds(1), after.plusSeconds(1));
            AuditEvent e = s.audit().list(Scope.EVERYTHING, null, null, null, Page.newest(1)).get(0);
            assertThat(e.at()).isBetween(before.minusSeconds(1), after.plusSeconds(1));
            assertThat(s.audit().list(Scope.EVERYTHING, null, null, before.minusSeconds(60), Page.newest(10))).hasSize(1);
            assertThat(s.audit().list(Scope.EVERYTHING, null, null, after.plusSeconds(60), Page.newest(10))).isEmpty();
        } finally {
            java.util.TimeZone.setDefault(original);
        }
    }

    // ---- environment state ---------------------------------------------------------------------------------

    /** Moves the environment's lease past its expiry by the database's clock: a TTL passing without renewal. */
    static void lapse(Store s, String app, String environment) {
        dev.greenlight.testing.Sql.update(s.db(), "update environment_state set lease_expires_at = "
                + "current_timestamp - interval '1' second where app = ? and environment = ?", app, environment);
    }

    /** Seconds until the environment's lease expires, as the database counts them (negative once lapsed). */
    static long leaseLeftSeconds(Store s, String app, String environment) {
        Instant expires = s.jdbc().queryOne("select lease_expires_at from environment_state where app = ? "
                + "and environment = ?", rs -> Jdbc.instant(rs, "lease_expires_at"), app, environment).orElseThrow();
        Instant now = s.jdbc().queryOne("select current_timestamp", rs -> rs.getTimestamp(1).toInstant()).orElseThrow();
        return Duration.between(now, expires).toSeconds();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theLeaseIsHeldByOneHolderUntilReleasedOrLapsed(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            EnvironmentLease a = s.lease("instance-a", Duration.ofMinutes(1));
            EnvironmentLease b = s.lease("instance-b", Duration.ofMinutes(1));
            a.register("shop", "qa");
            b.register("shop", "qa"); // a second instance registers the same environment: no error

            assertThat(a.tryAcquire("shop", "qa")).isTrue();
            assertThat(leaseLeftSeconds(s, "shop", "qa")).as("the TTL from the database's now").isBetween(55L, 60L);
            assertThat(b.tryAcquire("shop", "qa")).isFalse();
            assertThat(a.tryAcquire("shop", "qa")).as("not re-entrant").isFalse();
            b.release("shop", "qa"); // not b's to release
            assertThat(b.tryAcquire("shop", "qa")).isFalse();
            assertThat(a.lapsed()).isEmpty();

            lapse(s, "shop", "qa");
            assertThat(b.lapsed()).extracting(e -> e[0] + "/" + e[1]).containsExactly("shop/qa");
            assertThat(takeovers(s)).as("taking a free lease is no takeover").isEmpty();
            assertThat(b.tryAcquire("shop", "qa")).as("a lapsed lease can be taken").isTrue();
            assertThat(takeovers(s)).as("the takeover, audited with the take").containsExactly("instance-b shop/qa: "
                    + "took over the lease of shop/qa from instance-a, whose lease lapsed without a heartbeat");
            assertThat(new dev.greenlight.audit.AuditChain(s.jdbc()).verify().valid()).as("the chain goes on through it").isTrue();
            assertThat(a.tryAcquire("shop", "qa")).isFalse();
            b.release("shop", "qa");
            assertThat(a.tryAcquire("shop", "qa")).isTrue();
            assertThat(takeovers(s)).as("a released lease taken again is no takeover").hasSize(1);
        }
    }

    private static List<String> takeovers(Store s) {
        return s.jdbc().query("select actor, app, environment, detail from audit_log where action = 'lease.takeover' "
                + "order by id", rs -> rs.getString(1) + " " + rs.getString(2) + "/" + rs.getString(3) + ": "
                + rs.getString(4));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aLeaseIsRenewedOnlyByItsHolderWhileItsDeploymentRunsAndBeforeItLapses(Supplier<TestDatabase> kind)
            throws Exception {
        try (Store s = Store.open(kind.get())) {
            EnvironmentLease a = s.lease("instance-a", Duration.ofMinutes(1));
            EnvironmentLease b = s.lease("instance-b", Duration.ofMinutes(1));
            a.register("shop", "qa");
            a.register("shop", "staging");
            long qa = s.queue("shop", "qa", "v1").id();
            long staging = s.queue("shop", "staging", "v1").id();
            assertThat(a.tryAcquire("shop", "qa")).isTrue();
            assertThat(a.renew(qa)).as("still queued, not running").isFalse();
            s.deployments().inTransaction(c -> s.deployments().transition(c, qa, DeploymentStatus.QUEUED,
                    DeploymentStatus.RUNNING, null));
            s.deployments().inTransaction(c -> s.deployments().transition(c, staging, DeploymentStatus.QUEUED,
                    DeploymentStatus.RUNNING, null));

            dev.greenlight.testing.Sql.update(s.db(), "update environment_state set lease_expires_at = "
                    + "current_timestamp + interval '5' second where app = 'shop' and environment = 'qa'");
            assertThat(a.renew(qa)).isTrue();
            assertThat(leaseLeftSeconds(s, "shop", "qa")).isBetween(55L, 60L);
            assertThat(b.renew(qa)).as("not b's lease").isFalse();
            assertThat(a.renew(staging)).as("a does not hold shop/staging").isFalse();
            assertThat(a.lapsed()).isEmpty();

            s.deployments().inTransaction(c -> s.deployments().transition(c, qa, DeploymentStatus.RUNNING,
                    DeploymentStatus.ROLLING_BACK, null));
            assertThat(a.renew(qa)).as("a rollback keeps its lease").isTrue();

            lapse(s, "shop", "qa");
            assertThat(a.renew(qa)).as("a lapsed lease is not revived").isFalse();
            assertThat(leaseLeftSeconds(s, "shop", "qa")).isNegative();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theLiveVersionIsKeptPerEnvironment(Supplier<TestDatabase> kind) throws Exception {
        try (Store s = Store.open(kind.get())) {
            EnvironmentLease lease = s.lease("i", Duration.ofMinutes(1));
            lease.register("shop", "qa");
            lease.register("shop", "staging");
            assertThat(lease.liveVersion("shop", "qa")).isEmpty();
            s.jdbc().inTransaction(c -> {
                lease.setLive(c, "shop", "qa", "v9", null, 42);
                return null;
            });
            assertThat(lease.liveVersion("shop", "qa")).hasValue("v9");
            assertThat(lease.liveVersion("shop", "staging")).isEmpty();
        }
    }
}
