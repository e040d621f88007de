package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.metrics.GreenlightMeters;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
                    DeploymentFinisher finisher, Dispatcher dispatcher, DeploymentQueue queue, StepStore steps,
                    ActiveRuns runs, Recoveries recoveries) {
    }

    Instance instance(String holder, Duration ttl) {
        HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 6);
        Jdbc jdbc = new Jdbc(ds);
        Clock clock = Clock.systemUTC();
        Secrets secrets = new Secrets(name -> null);
        AuditLog audit = new AuditLog(jdbc, clock, secrets);
        DeploymentStore store = new DeploymentStore(jdbc, clock, secrets);
        EnvironmentLease lease = new EnvironmentLease(jdbc, holder, ttl, audit);
        EventOutbox outbox = new EventOutbox(jdbc, clock, holder);
        StepStore steps = new StepStore(jdbc, clock, secrets);
        DeploymentFinisher finisher = new DeploymentFinisher(store, lease, audit, outbox, () -> { },
                new DeploymentMeasures(store, audit, new GreenlightMeters(new SimpleMeterRegistry())));
        Dispatcher dispatcher = new Dispatcher(new dev.greenlight.config.CurrentConfig(config), store, lease, audit, outbox, () -> { });
        dispatcher.registerEnvironments(config);
        Instance i = new Instance(holder, ds, store, lease, finisher, dispatcher, new DeploymentQueue(store, audit),
                steps, new ActiveRuns(lease, store), new Recoveries(store, lease, steps, audit));
        instances.add(i);
        return i;
    }

    /**
     * Moves the database's notion of the holder's lease past its expiry: what the passing of a TTL without a
     * renewal does, without waiting for it.
     */
    void lapse(Instance holder) {
        Sql.update(db, "update environment_state set lease_expires_at = current_timestamp - interval '1' second "
                + "where lease_holder = ?", holder.holder());
    }

    /** Brings the holder's lease to within two seconds of its expiry, by the database's clock. */
    void nearExpiry(Instance holder) {
        Sql.update(db, "update environment_state set lease_expires_at = current_timestamp + interval '2' second "
                + "where lease_holder = ?", holder.holder());
    }

    /** Milliseconds until the lease of shop/qa expires, by the database's clock. */
    long qaLeaseLeftMillis() {
        return ((Number) Sql.rows(db, "select extract(epoch from (lease_expires_at - current_timestamp)) * 1000 as ms "
                + "from environment_state where app = 'shop' and environment = 'qa'").get(0).get("ms")).longValue();
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
        Instance a = instance("instance-a", Duration.ofSeconds(30));
        Instance b = instance("instance-b", Duration.ofSeconds(30));

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
        Instance a = instance("instance-a", Duration.ofSeconds(30));
        Instance b = instance("instance-b", Duration.ofSeconds(30));
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
        Instance a = instance("instance-a", Duration.ofSeconds(30));
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
    void aDeploymentWhoseInstanceDiedIsTakenOverForRecoveryAndTheQueueWaitsUntilItHasEnded() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofSeconds(30));
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30));
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        long d2 = survivor.queue().enqueue(manual("shop", "qa", "v2"), "test").id();

        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);
        // the instance dies here: it neither renews its lease nor finishes d1

        assertThat(survivor.recoveries().takeOver()).as("the lease is still valid").isEmpty();
        assertThat(survivor.dispatcher().dispatch()).isEmpty();
        assertThat(survivor.store().find(d2).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);

        lapse(dying);
        assertThat(survivor.recoveries().takeOver()).containsExactly(d1);
        assertThat(survivor.recoveries().takeOver()).as("taken over once").isEmpty();
        assertThat(dying.recoveries().takeOver()).as("the survivor holds the lease now").isEmpty();
        assertThat(survivor.dispatcher().dispatch()).as("d1's recovery goes first").isEmpty();
        assertThat(Sql.rows(db, "select lease_holder from environment_state where app = 'shop' and environment = 'qa'"))
                .containsExactly(Map.of("lease_holder", "instance-survivor"));
        assertThat(Sql.rows(db, "select actor, outcome, detail from audit_log where deployment_id = ? and action = ?",
                d1, "deployment.recovering")).containsExactly(Map.of("actor", "greenlight", "outcome", "recovering",
                "detail", "instance instance-dying stopped while the deployment was running; instance "
                        + "instance-survivor recovers it: a first deployment has nothing to return to: it ends failed "
                        + "(a blue-green one's colour is stopped)"));
        assertThat(survivor.store().find(d1).orElseThrow().status()).as("the recovery route ends it")
                .isEqualTo(DeploymentStatus.RUNNING);

        // what the recovery's rollback does at its end
        survivor.finisher().finish(d1, DeploymentStatus.RUNNING, DeploymentStatus.FAILED, "recovered");
        assertThat(survivor.dispatcher().dispatch()).containsExactly(d2);
    }

    @Test
    void aDeploymentWhoseInstanceDiedIsTakenOverHoweverManyAreQueuedBehindIt() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofSeconds(30));
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30));
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v0"), "test").id();
        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);
        for (int i = 1; i <= 60; i++) survivor.queue().enqueue(manual("shop", "qa", "v" + i), "test");

        lapse(dying);
        assertThat(survivor.recoveries().takeOver()).containsExactly(d1);
        survivor.dispatcher().dispatch();

        assertThat(Sql.count(db, "select count(*) from deployments where app = 'shop' and environment = 'qa' "
                + "and status = 'running'")).as("only the one being recovered").isEqualTo(1);
    }

    @Test
    void aRollbackWhoseInstanceDiedIsTakenOverToBeRunAgain() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofSeconds(30));
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30));
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v1"), "test").id();

        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);
        assertThat(dying.finisher().move(d1, DeploymentStatus.RUNNING, DeploymentStatus.ROLLING_BACK, "health failed")).isTrue();
        lapse(dying);
        assertThat(survivor.recoveries().takeOver()).containsExactly(d1);

        assertThat(survivor.store().find(d1).orElseThrow().status()).isEqualTo(DeploymentStatus.ROLLING_BACK);
        assertThat(Sql.rows(db, "select detail from audit_log where deployment_id = ? and action = ?", d1,
                "deployment.recovering").get(0).get("detail").toString())
                .endsWith("was rolling_back; instance instance-survivor recovers it: its rollback is run again");
    }

    @Test
    void aStepUnderWayWhenItsInstanceDiedIsClosedAsInterruptedWhenTheDeploymentIsTakenOver() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofSeconds(30));
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30));
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);
        dying.steps().record(d1, "pre-check", "127.0.0.3:9", 1, true, null);
        long deploy = dying.steps().open(d1, "deploy", "127.0.0.3:9", 1);
        // the instance dies while the deploy command runs: nothing will ever close that step

        lapse(dying);
        assertThat(survivor.recoveries().takeOver()).containsExactly(d1);

        List<Step> steps = survivor.steps().forDeployment(d1);
        assertThat(steps).extracting(Step::stage, Step::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pre-check", "succeeded"),
                        org.assertj.core.groups.Tuple.tuple("deploy", "interrupted"));
        Step interrupted = steps.get(1);
        assertThat(interrupted.id()).isEqualTo(deploy);
        assertThat(interrupted.finishedAt()).isNotNull().isAfterOrEqualTo(interrupted.startedAt());
        assertThat(interrupted.detail()).contains("interrupted").contains("stopped before it ended");
        assertThat(steps.get(0).detail()).as("a step that had ended is left as it was").isNull();
    }

    @Test
    void theHeartbeatRenewsTheLeaseOfARunningPipelineByTheTtlFromTheDatabasesNow() throws Exception {
        Instance holder = instance("instance-a", Duration.ofSeconds(30));
        Instance other = instance("instance-b", Duration.ofSeconds(30));
        long d1 = other.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        long d2 = other.queue().enqueue(manual("shop", "qa", "v2"), "test").id();
        assertThat(holder.dispatcher().dispatch()).containsExactly(d1);
        holder.runs().begin(d1); // its pipeline runs

        for (int beat = 0; beat < 3; beat++) {
            nearExpiry(holder);
            holder.runs().renewLeases();
            assertThat(qaLeaseLeftMillis()).as("renewed to the TTL from now").isBetween(25_000L, 30_000L);
            assertThat(other.dispatcher().dispatch()).isEmpty();
        }
        assertThat(other.store().find(d1).orElseThrow().status()).isEqualTo(DeploymentStatus.RUNNING);
        assertThat(other.store().find(d2).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);

        holder.finisher().succeeded(d1);
        holder.runs().end(d1);
        assertThat(other.dispatcher().dispatch()).containsExactly(d2);
    }

    /**
     * The pipeline of a deployment died in a live instance (it never ended the deployment): the heartbeat no longer
     * renews its lease, so the instance itself takes it over for recovery once the lease lapses, and the queue goes on
     * after it. A
     * heartbeat that renewed every lease the instance holds kept such an environment locked until a restart.
     */
    @Test
    void aDeploymentWhosePipelineDiedLetsItsLeaseLapseAndIsTakenOverWithoutARestart() throws Exception {
        Instance instance = instance("instance-a", Duration.ofSeconds(30));
        long d1 = instance.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        long d2 = instance.queue().enqueue(manual("shop", "qa", "v2"), "test").id();
        long blog = instance.queue().enqueue(manual("blog", "staging", "b1"), "test").id();
        assertThat(instance.dispatcher().dispatch()).containsExactlyInAnyOrder(d1, blog);
        instance.runs().begin(d1);
        instance.runs().begin(blog);
        instance.runs().end(d1); // its pipeline's exchange ended without ending the deployment

        nearExpiry(instance);
        instance.runs().renewLeases();
        assertThat(qaLeaseLeftMillis()).as("not renewed").isLessThanOrEqualTo(2_000L);
        assertThat(Sql.count(db, "select count(*) from environment_state where app = 'blog' and environment = 'staging' "
                + "and lease_expires_at > current_timestamp + interval '20' second"))
                .as("the live pipeline's lease is renewed").isEqualTo(1);
        assertThat(instance.runs().isActive(d1)).isFalse();

        Sql.update(db, "update environment_state set lease_expires_at = current_timestamp - interval '1' second "
                + "where app = 'shop' and environment = 'qa'");
        assertThat(instance.recoveries().takeOver()).as("its own instance takes it over").containsExactly(d1);
        assertThat(instance.dispatcher().dispatch()).as("d2 waits for d1's recovery").isEmpty();
        assertThat(instance.store().find(blog).orElseThrow().status()).isEqualTo(DeploymentStatus.RUNNING);
    }

    @Test
    void aLapsedLeaseIsNeverRevivedByItsHolder() throws Exception {
        Instance holder = instance("instance-a", Duration.ofSeconds(30));
        Instance other = instance("instance-b", Duration.ofSeconds(30));
        long d1 = other.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        assertThat(holder.dispatcher().dispatch()).containsExactly(d1);
        holder.runs().begin(d1);

        lapse(holder); // the holder stalled for longer than the TTL: another instance may be settling d1 now
        holder.runs().renewLeases();

        assertThat(qaLeaseLeftMillis()).isNegative();
        assertThat(holder.runs().isActive(d1)).as("no longer renewed").isFalse();
        assertThat(other.recoveries().takeOver()).containsExactly(d1);
    }

    /**
     * The lease of a dead instance lapses between the dispatcher's look for lapsed leases and its attempt to take
     * the lease: the deployment the dead instance left running must still be recovered before the next one starts. The lapse is made to happen exactly there: a transaction of the test locks the
     * deployments table, so the dispatcher, having found no lapsed lease, waits at its first look at a queue; the
     * transaction then moves the lease's expiry into the past and commits.
     */
    @Test
    void aLeaseThatLapsesWhileTheDispatcherLooksIsStillRecoveredBeforeTheNextStart() throws Exception {
        Instance dying = instance("instance-dying", Duration.ofSeconds(30));
        Instance survivor = instance("instance-survivor", Duration.ofSeconds(30));
        long d1 = survivor.queue().enqueue(manual("shop", "qa", "v1"), "test").id();
        long d2 = survivor.queue().enqueue(manual("shop", "qa", "v2"), "test").id();
        assertThat(dying.dispatcher().dispatch()).containsExactly(d1);

        ExecutorService dispatcher = Executors.newSingleThreadExecutor();
        try (java.sql.Connection lapse = db.connect(); var sql = lapse.createStatement()) {
            lapse.setAutoCommit(false);
            sql.execute("lock table deployments in access exclusive mode");
            int lapsePid;
            try (var pid = sql.executeQuery("select pg_backend_pid()")) {
                pid.next();
                lapsePid = pid.getInt(1);
            }
            Future<List<Long>> startedFuture = dispatcher.submit(() -> survivor.dispatcher().dispatch());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Sql.count(db,
                    "select count(*) from pg_stat_activity where ? = any(pg_blocking_pids(pid))", lapsePid) > 0);
            assertThat(startedFuture).as("waiting at the queue, past its look for lapsed leases").isNotDone();
            assertThat(sql.executeUpdate("update environment_state set lease_expires_at = current_timestamp "
                    + "- interval '1' second where app = 'shop' and environment = 'qa'")).isEqualTo(1);
            lapse.commit();
            assertThat(startedFuture.get(30, TimeUnit.SECONDS)).as("nothing starts over an interrupted deployment")
                    .isEmpty();
        } finally {
            dispatcher.shutdownNow();
        }

        assertThat(Sql.count(db, "select count(*) from deployments where app = 'shop' and environment = 'qa' "
                + "and status = 'running'")).as("at most one running").isLessThanOrEqualTo(1);
        assertThat(survivor.store().find(d2).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);
        assertThat(survivor.recoveries().takeOver()).containsExactly(d1);
    }
}
