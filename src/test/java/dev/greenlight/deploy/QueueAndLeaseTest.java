package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-environment queue and its database lease, driven without the pipeline: two Greenlight instances (two
 * holder ids, two connection pools) on one PostgreSQL database, each running its own {@link Dispatcher}; a started
 * deployment is "run" by the test and ended through {@link DeploymentFinisher}, as the pipeline ends it.
 */
class QueueAndLeaseTest {
    @TempDir
    Path dir;
    TestDatabase db;
    GreenlightConfig config;
    final List<Instance> instances = new ArrayList<>();

    /** One Greenlight instance's queue machinery. */
    record Instance(String holder, HikariDataSource ds, DeploymentStore store, EnvironmentLease lease,
                    DeploymentFinisher finisher, Dispatcher dispatcher, DeploymentQueue queue) {
    }

    Instance instance(String holder, Duration ttl, Clock leaseClock) {
        HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 6);
        Jdbc jdbc = new Jdbc(ds);
        Clock clock = Clock.systemUTC();
        Secrets secrets = new Secrets(name -> null);
        AuditLog audit = new AuditLog(jdbc, clock, secrets);
        DeploymentStore store = new DeploymentStore(jdbc, clock, secrets);
        EnvironmentLease lease = new EnvironmentLease(jdbc, leaseClock, holder, ttl);
        EventOutbox outbox = new EventOutbox(jdbc, clock, holder);
        DeploymentFinisher finisher = new DeploymentFinisher(store, lease, audit, outbox, () -> { });
        Dispatcher dispatcher = new Dispatcher(config, store, lease, finisher, audit, outbox, () -> { });
        dispatcher.registerEnvironments();
        Instance i = new Instance(holder, ds, store, lease, finisher, dispatcher, new DeploymentQueue(store, audit));
        instances.add(i);
        return i;
    }

    @BeforeEach
    void setUp() {
        db = TestDatabase.postgres();
        config = ConfigLoader.load(TestConfig.write(dir));
    }

    @AfterEach
    void tearDown() throws Exception {
        instances.forEach(i -> i.ds().close());
        db.close();
    }

    static DeploymentRequest manual(String app, String environment, String version) {
        return new DeploymentRequest(app, environment, version, null, "rolling", TriggerKind.MANUAL, "tester", null, null, null);
    }

    /** started_at, finished_at and status of every deployment of one environment, in the order they started. */
    List<Map<String, Object>> runs(String app, String environment) {
        return Sql.rows(db, "select id, status, started_at, finished_at from deployments where app = ? and environment = ? "
                + "order by started_at, id", app, environment);
    }

    /**
     * Runs the queue as two live instances would: each polls its dispatcher; the pipeline stand-in holds a started
     * deployment a little, then ends it through the instance that started it. The first deployment of each
     * environment waits until the other environment's first one runs too (if environments were serialised, that
     * wait would time out and {@link #ranInParallel} would be false).
     */
    final class Runner implements AutoCloseable {
        final AtomicBoolean ranInParallel = new AtomicBoolean(true);
        final AtomicInteger finished = new AtomicInteger();
        private final CountDownLatch bothEnvironmentsRunning = new CountDownLatch(2);
        private final Map<String, AtomicInteger> startedPerEnvironment = new ConcurrentHashMap<>();
        private final ExecutorService pipeline = Executors.newCachedThreadPool();
        private final ExecutorService dispatchers = Executors.newFixedThreadPool(2);
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Future<?>> loops = new ArrayList<>();

        Runner(List<Instance> running) {
            for (Instance instance : running) {
                loops.add(dispatchers.submit(() -> {
                    while (!stop.get()) {
                        for (long id : instance.dispatcher().dispatch()) run(instance, id);
                        Thread.sleep(2);
                    }
                    return null;
                }));
            }
        }

        private void run(Instance instance, long id) {
            Deployment d = instance.store().find(id).orElseThrow();
            boolean first = startedPerEnvironment.computeIfAbsent(d.app() + "/" + d.environment(),
                    k -> new AtomicInteger()).getAndIncrement() == 0;
            pipeline.submit(() -> {
                if (first) {
                    bothEnvironmentsRunning.countDown();
                    if (!bothEnvironmentsRunning.await(10, TimeUnit.SECONDS)) ranInParallel.set(false);
                }
                Thread.sleep(15);
                instance.finisher().succeeded(id);
                finished.incrementAndGet();
                return null;
            });
        }

        void awaitFinished(int total) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 60_000;
            while (finished.get() < total && System.currentTimeMillis() < deadline) Thread.sleep(20);
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (Future<?> loop : loops) loop.get(10, TimeUnit.SECONDS);
            dispatchers.shutdownNow();
            pipeline.shutdown();
            assertThat(pipeline.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** {@code qa} triggers for shop/qa and {@code blog} for blog/staging, each from its own thread, released together. */
    static List<Long> triggerTogether(Instance a, Instance b, int qa, int blog) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService triggers = Executors.newFixedThreadPool(qa + blog);
        try {
            List<Future<Long>> queued = new ArrayList<>();
            for (int i = 0; i < qa + blog; i++) {
                boolean isQa = i < qa;
                Instance via = i % 2 == 0 ? a : b;
                String version = (isQa ? "qa-" : "blog-") + i;
                queued.add(triggers.submit(() -> {
                    go.await();
                    return via.queue().enqueue(isQa ? manual("shop", "qa", version) : manual("blog", "staging", version),
                            "test").id();
                }));
            }
            go.countDown();
            List<Long> ids = new ArrayList<>();
            for (Future<Long> f : queued) ids.add(f.get(30, TimeUnit.SECONDS));
            return ids;
        } finally {
            triggers.shutdownNow();
        }
    }

    /** Every deployment of the environment succeeded, and each started only after the one before it had ended. */
    List<Long> assertOneAtATime(String app, String environment, int expected) {
        List<Map<String, Object>> runs = runs(app, environment);
        assertThat(runs).hasSize(expected);
        assertThat(runs).allSatisfy(r -> assertThat(r.get("status")).isEqualTo("succeeded"));
        for (int i = 1; i < runs.size(); i++) {
            Instant previousEnd = ((Timestamp) runs.get(i - 1).get("finished_at")).toInstant();
            Instant start = ((Timestamp) runs.get(i).get("started_at")).toInstant();
            assertThat(start).as("%s/%s deployment %s starts after %s ended", app, environment,
                    runs.get(i).get("id"), runs.get(i - 1).get("id")).isAfterOrEqualTo(previousEnd);
        }
        return runs.stream().map(r -> ((Number) r.get("id")).longValue()).toList();
    }

    @Test
    void concurrentTriggersNeverRunTwoAtOnceInAnEnvironmentWhileAnotherEnvironmentRunsInParallel() throws Exception {
        Instance a = instance("instance-a", Duration.ofSeconds(30), Clock.systemUTC());
        Instance b = instance("instance-b", Duration.ofSeconds(30), Clock.systemUTC());

        try (Runner runner = new Runner(List.of(a, b))) {
            triggerTogether(a, b, 12, 6); // while both instances dispatch
            runner.awaitFinished(18);
            assertThat(runner.finished.get()).as("every deployment ran").isEqualTo(18);
            assertThat(runner.ranInParallel).as("the two environments ran at the same time").isTrue();
        }
        assertOneAtATime("shop", "qa", 12);
        assertOneAtATime("blog", "staging", 6);
        assertThat(Sql.count(db, "select count(*) from environment_state where lease_holder is not null"))
                .as("every lease released").isZero();
        assertThat(Sql.rows(db, "select live_version from environment_state where app = 'shop' and environment = 'qa'"))
                .as("the last deployment to end is live").containsExactly(Map.of("live_version", Sql.rows(db,
                        "select version from deployments where app = 'shop' and environment = 'qa' "
                                + "order by finished_at desc limit 1").get(0).get("version")));
    }

    @Test
    void queuedDeploymentsStartInArrivalOrderWhicheverInstanceDispatches() throws Exception {
        Instance a = instance("instance-a", Duration.ofSeconds(30), Clock.systemUTC());
        Instance b = instance("instance-b", Duration.ofSeconds(30), Clock.systemUTC());
        List<Long> queued = triggerTogether(a, b, 12, 6);
        assertThat(queued).doesNotHaveDuplicates();

        try (Runner runner = new Runner(List.of(a, b))) {
            runner.awaitFinished(18);
            assertThat(runner.finished.get()).isEqualTo(18);
        }
        assertThat(assertOneAtATime("shop", "qa", 12)).as("shop/qa start order").isSorted();
        assertThat(assertOneAtATime("blog", "staging", 6)).as("blog/staging start order").isSorted();
    }

    /**
     * Two triggers for one environment: the first takes its id, the second takes the next id and commits first, and
     * a dispatch in between starts the second. The first then runs after it: the environment ends on the earlier
     * trigger's version. Ids are handed out in arrival order, commits are not.
     */
    @Test
    void aTriggerThatCommitsLateStillRunsInItsArrivalOrder() throws Exception {
        Instance a = instance("instance-a", Duration.ofSeconds(30), Clock.systemUTC());
        CountDownLatch firstHasItsId = new CountDownLatch(1);
        CountDownLatch letFirstCommit = new CountDownLatch(1);
        ExecutorService slow = Executors.newSingleThreadExecutor();
        try {
            Future<Long> first = slow.submit(() -> a.store().inTransaction(c -> {
                long id = a.queue().enqueue(c, manual("shop", "qa", "first"), "test").id();
                firstHasItsId.countDown();
                try {
                    letFirstCommit.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return id;
            }));
            assertThat(firstHasItsId.await(10, TimeUnit.SECONDS)).isTrue();
            long second = a.queue().enqueue(manual("shop", "qa", "second"), "test").id();
            List<Long> startedWhileFirstCommits = a.dispatcher().dispatch();
            letFirstCommit.countDown();
            long firstId = first.get(10, TimeUnit.SECONDS);

            assertThat(firstId).isLessThan(second);
            assertThat(startedWhileFirstCommits).as("the later trigger may not overtake the earlier one")
                    .doesNotContain(second);
        } finally {
            letFirstCommit.countDown();
            slow.shutdownNow();
        }
    }

    @Test
    void aDeploymentWhoseInstanceDiedIsMarkedInterruptedAndTheQueueMovesOn() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofMillis(300), Clock.systemUTC());
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30), Clock.systemUTC());
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        long d2 = survivor.queue().enqueue(manual("shop", "qa", "v2"), "test").id();

        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);
        // the instance dies here: it neither renews its lease nor finishes d1

        assertThat(survivor.dispatcher().dispatch()).as("the lease is still valid").isEmpty();
        assertThat(survivor.store().find(d2).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);

        Thread.sleep(400);
        assertThat(survivor.dispatcher().dispatch()).containsExactly(d2);

        Deployment interrupted = survivor.store().find(d1).orElseThrow();
        assertThat(interrupted.status()).isEqualTo(DeploymentStatus.FAILED);
        assertThat(interrupted.statusDetail()).contains("interrupted");
        assertThat(interrupted.finishedAt()).isNotNull();
        assertThat(survivor.store().find(d2).orElseThrow().status()).isEqualTo(DeploymentStatus.RUNNING);
        assertThat(Sql.rows(db, "select lease_holder from environment_state where app = 'shop' and environment = 'qa'"))
                .containsExactly(Map.of("lease_holder", "instance-survivor"));
        assertThat(Sql.rows(db, "select actor, outcome from audit_log where deployment_id = ? and action = ?",
                d1, "deployment.failed")).containsExactly(Map.of("actor", "greenlight", "outcome", "failed"));
    }

    @Test
    void aDeploymentWhoseInstanceDiedIsRecoveredHoweverManyAreQueuedBehindIt() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofMillis(300), Clock.systemUTC());
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30), Clock.systemUTC());
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v0"), "test").id();
        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);
        for (int i = 1; i <= 60; i++) survivor.queue().enqueue(manual("shop", "qa", "v" + i), "test");

        Thread.sleep(400);
        survivor.dispatcher().dispatch();

        assertThat(survivor.store().find(d1).orElseThrow().status()).isEqualTo(DeploymentStatus.FAILED);
        assertThat(Sql.count(db, "select count(*) from deployments where app = 'shop' and environment = 'qa' "
                + "and status = 'running'")).as("at most one running").isLessThanOrEqualTo(1);
    }

    @Test
    void aRollbackWhoseInstanceDiedIsMarkedRollbackFailed() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofMillis(300), Clock.systemUTC());
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30), Clock.systemUTC());
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v1"), "test").id();

        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);
        assertThat(dying.finisher().move(d1, DeploymentStatus.RUNNING, DeploymentStatus.ROLLING_BACK, "health failed")).isTrue();
        Thread.sleep(400);
        survivor.dispatcher().dispatch();

        Deployment d = survivor.store().find(d1).orElseThrow();
        assertThat(d.status()).isEqualTo(DeploymentStatus.ROLLBACK_FAILED);
        assertThat(d.statusDetail()).contains("interrupted during rollback");
    }

    @Test
    void aLiveInstanceKeepsItsEnvironmentByRenewingItsLease() throws Exception {
        Instance holder = instance("instance-a", Duration.ofSeconds(1), Clock.systemUTC());
        Instance other = instance("instance-b", Duration.ofSeconds(30), Clock.systemUTC());
        long d1 = other.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        long d2 = other.queue().enqueue(manual("shop", "qa", "v2"), "test").id();
        assertThat(holder.dispatcher().dispatch()).containsExactly(d1);

        // renewed well inside the TTL for longer than the TTL: the lease never lapses
        for (int i = 0; i < 8; i++) {
            Thread.sleep(200);
            assertThat(holder.lease().renewAll()).isEqualTo(1);
            assertThat(other.dispatcher().dispatch()).isEmpty();
        }
        assertThat(other.store().find(d1).orElseThrow().status()).isEqualTo(DeploymentStatus.RUNNING);
        assertThat(other.store().find(d2).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);

        holder.finisher().succeeded(d1);
        assertThat(other.dispatcher().dispatch()).containsExactly(d2);
    }

    /**
     * The lease of a dead instance lapses between the dispatcher's look for lapsed leases and its attempt to take
     * the lease: the attempt succeeds, the next deployment starts while the dead one still says running, and the
     * dead one is never settled (the lease is now held and renewed by a live instance). Modelled with a lease clock
     * that moves past the expiry between those two reads.
     */
    @Test
    void aLeaseThatLapsesWhileTheDispatcherLooksIsStillRecoveredBeforeTheNextStart() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofSeconds(5), Clock.systemUTC());
        AtomicInteger reads = new AtomicInteger();
        Clock stepping = new Clock() {
            @Override
            public Instant instant() {
                // the first read (the look for lapsed leases) is now; every later one is past the dead lease
                return reads.getAndIncrement() == 0 ? Instant.now() : Instant.now().plusSeconds(60);
            }

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30), stepping);
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        long d2 = survivor.queue().enqueue(manual("shop", "qa", "v2"), "test").id();
        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);

        survivor.dispatcher().dispatch();

        assertThat(Sql.count(db, "select count(*) from deployments where app = 'shop' and environment = 'qa' "
                + "and status = 'running'")).as("at most one running").isLessThanOrEqualTo(1);
        assertThat(survivor.store().find(d1).orElseThrow().status()).isEqualTo(DeploymentStatus.FAILED);
        assertThat(survivor.store().find(d2).orElseThrow().status()).isEqualTo(DeploymentStatus.RUNNING);
    }
}
