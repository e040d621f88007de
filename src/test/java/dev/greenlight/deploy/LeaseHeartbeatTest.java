package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.timer.TimerEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease in the running service: its heartbeat follows the TTL, and it renews the lease of a pipeline that is
 * alive, and only that: a pipeline whose exchange has ended, however it ended, no longer keeps its environment.
 * The heartbeat is driven by calling it (the bean the timer calls), and the lease's expiry is moved in the database,
 * so nothing waits for a TTL to pass.
 */
class LeaseHeartbeatTest {
    @TempDir
    Path dir;

    @Test
    void theHeartbeatIsAThirdOfTheLeaseTtl() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                     Map.of("greenlight.lease.ttl", "9s"))) {
            TimerEndpoint timer = (TimerEndpoint) app.context().getRoute("lease-heartbeat").getEndpoint();
            assertThat(timer.getPeriod()).isEqualTo(3_000);
        }
    }

    @Test
    void aLeaseTtlTooShortForItsHeartbeatStopsTheStartNamingTheSetting() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            assertThatThrownBy(() -> TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                    Map.of("greenlight.lease.ttl", "2s")).close())
                    .rootCause().hasMessage("greenlight.lease.ttl: \"2s\" is too short: at least 3s "
                            + "(a lease is renewed every third of it)");
        }
    }

    @Test
    void aRunningPipelineHasItsLeaseRenewedUntilItEnds() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "", Map.of())) {
            Path started = f.hosts.hostDir(1).resolve("started");
            Path go = f.hosts.hostDir(1).resolve("go");
            f.hosts.deployScript(1, "touch started\nwhile [ ! -f go ]; do sleep 0.05; done\n"
                    + TestHosts.DEFAULT_DEPLOY_SCRIPT);
            ActiveRuns runs = f.app.bean("activeRuns", ActiveRuns.class);
            long id = f.deploy("1.0.0");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));

            assertThat(runs.isActive(id)).as("its pipeline runs, on another thread than the dispatcher's").isTrue();
            nearExpiry(f.db);
            runs.renewLeases();
            assertThat(leaseOutlasts(f.db, 50)).as("renewed to the 60 s TTL").isTrue();

            Files.writeString(go, "");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");
            await().atMost(Duration.ofSeconds(10)).until(() -> !runs.isActive(id));
            assertThat(Sql.count(f.db, "select count(*) from environment_state where lease_holder is not null"))
                    .as("released at the end").isZero();
        }
    }

    /**
     * The pipeline's exchange fails outside every error handler (here its rollback route throws, and so does the end
     * of the run that would settle it, as when the database is briefly out of reach), so nothing ends the
     * deployment: it still says running. Its lease is no longer renewed, and once it lapses the deployment is recovered (the rollback works
     * again by then) and the next deployment runs, in the same live instance.
     */
    @Test
    void aPipelineThatDiedIsNoLongerRenewedAndTheNextDeploymentRunsWithoutARestart() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "", Map.of())) {
            java.util.concurrent.atomic.AtomicBoolean rollbackBroken = new java.util.concurrent.atomic.AtomicBoolean(true);
            AdviceWith.adviceWith(f.app.context(), "rollback", a -> a.weaveAddFirst().process(e -> {
                if (rollbackBroken.get()) throw new IllegalStateException("the rollback route broke");
            }));
            AdviceWith.adviceWith(f.app.context(), "run-deployment",
                    a -> a.weaveById("close-run").replace().throwException(new IllegalStateException("no database")));
            f.hosts.deployScript(1, "exit 3\n");
            ActiveRuns runs = f.app.bean("activeRuns", ActiveRuns.class);
            long broken = f.deploy("1.0.0");
            await().atMost(Duration.ofSeconds(30)).until(() -> !runs.isActive(broken)
                    && f.deployment(broken).get("steps").size() > 1);
            assertThat(f.deployment(broken).get("status").asText()).as("nothing ended it").isEqualTo("running");
            rollbackBroken.set(false); // the database is back: the recovery's rollback can run

            nearExpiry(f.db);
            runs.renewLeases();
            assertThat(leaseOutlasts(f.db, 3)).as("not renewed").isFalse();

            f.hosts.deployScript(1, TestHosts.DEFAULT_DEPLOY_SCRIPT);
            long next = f.deploy("1.0.1");
            Sql.update(f.db, "update environment_state set lease_expires_at = current_timestamp - interval '1' second "
                    + "where app = 'shop' and environment = 'staging'");
            assertThat(f.awaitEnd(next).get("status").asText()).isEqualTo("succeeded");
            JsonNode settled = f.deployment(broken);
            assertThat(settled.get("status").asText()).as("recovered: a first deployment has nothing to return to")
                    .isEqualTo("failed");
            assertThat(settled.get("detail").asText()).startsWith("recovered after an interruption")
                    .contains("no earlier successful deployment");
        }
    }

    /**
     * Another instance holds the environment's lease while host 1 of 2 is deploying here (this JVM stalled past its
     * TTL, and the other took the lapsed lease over): the step under way ends, and the run stops before its next step,
     * changing no other host and rolling nothing back: the deployment is the lease holder's to settle. Once that
     * lease lapses too, this instance recovers it like any interrupted deployment.
     */
    @Test
    void aRunWhoseLeaseAnotherInstanceHoldsChangesNothingMoreAndIsLeftToThatLease() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "", Map.of())) {
            assertThat(f.awaitEnd(f.deploy("1.0.0")).get("status").asText()).isEqualTo("succeeded");
            Path started = f.hosts.hostDir(1).resolve("started");
            Path go = f.hosts.hostDir(1).resolve("go");
            f.hosts.deployScript(1, "touch started\nwhile [ ! -f go ]; do sleep 0.05; done\n"
                    + TestHosts.DEFAULT_DEPLOY_SCRIPT);
            long id = f.deploy("2.0.0");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));

            assertThat(Sql.update(f.db, "update environment_state set lease_holder = 'another-instance', "
                    + "lease_expires_at = current_timestamp + interval '1' hour where app = 'shop' "
                    + "and environment = 'staging'")).isEqualTo(1);
            Files.writeString(go, "");
            ActiveRuns runs = f.app.bean("activeRuns", ActiveRuns.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> !runs.isActive(id));
            JsonNode left = f.deployment(id);
            assertThat(left.get("status").asText()).as("not ended here: the holder settles it").isEqualTo("running");
            assertThat(f.hosts.version(1)).as("the step under way ended").isEqualTo("2.0.0");
            assertThat(f.hosts.version(2)).as("no other host changed").isEqualTo("1.0.0");
            assertThat(left.get("steps").findValuesAsText("stage")).doesNotContain("rollback");
            assertThat(Sql.count(f.db, "select count(*) from deployment_steps where deployment_id = " + id
                    + " and host like '" + TestHosts.address(2) + ":%' and stage = 'deploy'")).isZero();

            // the other instance's lease lapses without a heartbeat: this one takes it over and rolls back
            Sql.update(f.db, "update environment_state set lease_expires_at = current_timestamp - interval '1' second "
                    + "where app = 'shop' and environment = 'staging'");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rolled_back");
            assertThat(f.hosts.version(1)).isEqualTo("1.0.0");
            assertThat(Sql.count(f.db, "select count(*) from audit_log where action = 'lease.takeover' "
                    + "and detail like '%from another-instance%'")).isEqualTo(1);
        }
    }

    private static void nearExpiry(TestDatabase db) {
        assertThat(Sql.update(db, "update environment_state set lease_expires_at = current_timestamp "
                + "+ interval '2' second where app = 'shop' and environment = 'staging' and lease_holder is not null"))
                .as("the environment's lease is held").isEqualTo(1);
    }

    /** Whether the lease of shop/staging expires more than {@code seconds} from now, by the database's clock. */
    private static boolean leaseOutlasts(TestDatabase db, int seconds) {
        return Sql.count(db, "select count(*) from environment_state where app = 'shop' and environment = 'staging' "
                + "and lease_expires_at > current_timestamp + " + seconds + " * interval '1' second") == 1;
    }
}
