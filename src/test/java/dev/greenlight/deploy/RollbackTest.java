package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.TestHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackTest {
    @TempDir
    Path dir;

    @Test
    void healthFailureOnHostThreeRollsBackHostsOneToThreeAndLeavesHostFourUntouched() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 4, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.unhealthyWhileRunning(3, "2.0.0");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).contains("127.0.0.13").contains("unhealthy");
            for (int i = 1; i <= 3; i++) {
                assertThat(f.hosts.history(i)).as("host " + i).containsExactly("1.0.0", "2.0.0", "1.0.0");
            }
            assertThat(f.hosts.history(4)).as("host 4 never touched").containsExactly("1.0.0");
            // every health attempt of host 3 is recorded, up to the configured 2
            assertThat(steps(d, "health", "127.0.0.13")).extracting(s -> s.get("attempt").asInt()).containsExactly(1, 2);
            assertThat(steps(d, "rollback", null)).hasSize(3);
            assertThat(steps(d, "rollback-health", null)).allMatch(s -> s.get("status").asText().equals("succeeded"));
            assertThat(f.app.get("/api/v1/environments", RollingFixture.TOKEN).body()).contains("\"liveVersion\":\"1.0.0\"");
        }
    }

    @Test
    void smokeTestFailureRollsBackEveryHost() throws Exception {
        String smoke = "smoke:\n  - { name: checkout, path: /smoke, body-contains: ok }";
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1\n" + smoke, Map.of())) {
            f.deployed("1.0.0");
            f.hosts.failPathWhileRunning(2, "/smoke", "2.0.0");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).contains("smoke test checkout on 127.0.0.12");
            assertThat(f.hosts.version(1)).isEqualTo("1.0.0");
            assertThat(f.hosts.version(2)).isEqualTo("1.0.0");
        }
    }

    @Test
    void nonZeroExitFailsTheStepAndRollsBack() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.deployScript(2, "if [ \"$1\" = 2.0.0 ]; then echo 'pull failed' >&2; exit 3; fi\n"
                    + dev.greenlight.testing.TestHosts.DEFAULT_DEPLOY_SCRIPT);

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rolled_back");
            JsonNode failed = steps(d, "deploy", "127.0.0.12").get(0);
            assertThat(failed.get("status").asText()).isEqualTo("failed");
            assertThat(failed.get("exitCode").asInt()).isEqualTo(3);
            assertThat(failed.get("output").asText()).contains("pull failed");
            assertThat(f.hosts.version(1)).isEqualTo("1.0.0");
            assertThat(f.hosts.version(2)).isEqualTo("1.0.0");
        }
    }

    @Test
    void hungCommandTimesOutAndFailsTheFirstDeploymentWithNothingToReturnTo() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 3, "batch: 1\ncommand-timeout: 1s", Map.of())) {
            f.hosts.deployScript(2, "sleep 30\n");

            JsonNode d = f.awaitEnd(f.deploy("1.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).contains("timed out after 1s").contains("no earlier successful deployment");
            JsonNode hung = steps(d, "deploy", "127.0.0.12").get(0);
            assertThat(hung.get("detail").asText()).isEqualTo("timed out after 1s");
            assertThat(f.hosts.history(3)).as("the rollout stopped before host 3").isEmpty();
        }
    }

    @Test
    void unknownHostKeyRefusesToConnectAndNothingRuns() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            List<String> lines = new ArrayList<>(Files.readAllLines(f.hosts.knownHosts()));
            lines.removeIf(l -> l.startsWith("[127.0.0.12]"));
            Files.write(f.hosts.knownHosts(), lines);

            JsonNode d = f.awaitEnd(f.deploy("1.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("failed");
            JsonNode refused = steps(d, "pre-check", "127.0.0.12").get(0);
            assertThat(refused.get("status").asText()).isEqualTo("failed");
            assertThat(refused.get("detail").asText()).contains("127.0.0.12").contains("known_hosts");
            assertThat(f.hosts.ssh(1).commands()).as("only the pre-check's probe").containsExactly("true");
            assertThat(f.hosts.ssh(2).commands()).isEmpty();
            assertThat(steps(d, "deploy", null)).isEmpty();
        }
    }

    @Test
    void anAccountThatCannotRunCommandsFailsThePreCheckBeforeAnyHostChanges() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.hosts.ssh(2).noLoginShell();

            JsonNode refused = failedPreCheckOfHost2(f);

            assertThat(refused.get("detail").asText()).startsWith("127.0.0.12:").endsWith(": the account cannot run "
                    + "commands (`true` exited with status 1: This account is currently not available.)");
        }
    }

    @Test
    void aHostThatHangsAfterLoginFailsThePreCheckWithinTheConnectTimeout() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            // the fixture's connect timeout is short; the command timeout stays at its default of 10 minutes
            f.hosts.ssh(2).hangAfterLogin();

            JsonNode refused = failedPreCheckOfHost2(f);

            assertThat(refused.get("detail").asText()).endsWith("the account cannot run commands (`true` timed out "
                    + "after " + dev.greenlight.testing.TestHosts.CONNECT_TIMEOUT + ")");
        }
    }

    /** Deploys to hosts 1 and 2, expects the pre-check of host 2 to fail it with nothing changed; returns that step. */
    private static JsonNode failedPreCheckOfHost2(RollingFixture f) throws Exception {
        JsonNode d = f.awaitEnd(f.deploy("1.0.0"));
        assertThat(d.get("status").asText()).isEqualTo("failed");
        JsonNode refused = steps(d, "pre-check", "127.0.0.12").get(0);
        assertThat(refused.get("status").asText()).isEqualTo("failed");
        assertThat(f.hosts.ssh(1).commands()).as("only the pre-check's probe").containsExactly("true");
        assertThat(f.hosts.history(1)).isEmpty();
        assertThat(steps(d, "deploy", null)).isEmpty();
        return refused;
    }

    @Test
    void rollbackEndpointRedeploysTheVersionLiveBefore() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 2", Map.of())) {
            f.deployed("1.0.0");
            long second = f.deploy("2.0.0");
            f.awaitEnd(second);

            var r = f.app.postJson("/api/v1/deployments/" + second + "/rollback", RollingFixture.TOKEN,
                    "{\"reason\":\"bad release\"}");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode queued = RollingFixture.json(r.body());
            assertThat(queued.get("version").asText()).isEqualTo("1.0.0");
            assertThat(queued.get("trigger").asText()).isEqualTo("rollback");
            assertThat(queued.get("rollbackOf").asLong()).isEqualTo(second);
            JsonNode d = f.awaitEnd(queued.get("id").asLong());
            assertThat(d.get("status").asText()).isEqualTo("succeeded");
            assertThat(f.hosts.version(1)).isEqualTo("1.0.0");
            assertThat(f.hosts.version(2)).isEqualTo("1.0.0");
        }
    }

    @Test
    void rollbackOfTheFirstDeploymentIsRefused() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of())) {
            long first = f.deploy("1.0.0");
            f.awaitEnd(first);

            var r = f.app.postJson("/api/v1/deployments/" + first + "/rollback", RollingFixture.TOKEN, "{}");

            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.body()).contains("no earlier version");
        }
    }

    @Test
    void cancelStopsARunningDeploymentAfterItsStepAndRollsBack() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 3, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            Path started = f.hosts.hostDir(1).resolve("started");
            f.hosts.deployScript(1, "touch started; sleep 1\n" + dev.greenlight.testing.TestHosts.DEFAULT_DEPLOY_SCRIPT);
            long id = f.deploy("2.0.0");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(started));

            var r = f.app.postJson("/api/v1/deployments/" + id + "/cancel", RollingFixture.TOKEN, "{}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).contains("cancelled");
            assertThat(f.hosts.history(1)).containsExactly("1.0.0", "2.0.0", "1.0.0");
            assertThat(f.hosts.history(2)).containsExactly("1.0.0");
            assertThat(f.hosts.history(3)).containsExactly("1.0.0");
            assertThat(f.app.postJson("/api/v1/deployments/" + id + "/cancel", RollingFixture.TOKEN, "{}").statusCode())
                    .isEqualTo(409);
        }
    }

    @Test
    void cancelOfAQueuedDeploymentEndsItBeforeItStarts() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of())) {
            f.hosts.deployScript(1, "sleep 2\n" + dev.greenlight.testing.TestHosts.DEFAULT_DEPLOY_SCRIPT);
            long running = f.deploy("1.0.0");
            long queued = f.deploy("1.0.1");

            var r = f.app.postJson("/api/v1/deployments/" + queued + "/cancel", RollingFixture.TOKEN, "{}");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(RollingFixture.json(r.body()).get("status").asText()).isEqualTo("cancelled");
            assertThat(f.awaitEnd(running).get("status").asText()).isEqualTo("succeeded");
            assertThat(f.hosts.history(1)).containsExactly("1.0.0");
        }
    }

    @Test
    void failedRollbackIsLoudAndLocksTheEnvironmentUntilUnlocked() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 2", Map.of())) {
            f.deployed("1.0.0");
            Files.writeString(f.hosts.hostDir(2).resolve("unhealthy"), "");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rollback_failed");
            assertThat(d.get("detail").asText()).contains("ROLLBACK FAILED").contains("127.0.0.12");
            assertThat(f.app.get("/api/v1/environments", RollingFixture.TOKEN).body())
                    .contains("\"lockedBy\":" + d.get("id").asLong());
            long next = f.deploy("2.0.1");
            Thread.sleep(1500); // several dispatcher ticks: a locked environment starts nothing
            assertThat(f.deployment(next).get("status").asText()).isEqualTo("queued");

            Files.delete(f.hosts.hostDir(2).resolve("unhealthy"));
            var r = f.app.postJson("/api/v1/environments/shop/staging/unlock", RollingFixture.TOKEN,
                    "{\"reason\":\"host 2 repaired by hand\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(f.awaitEnd(next).get("status").asText()).isEqualTo("succeeded");
            assertThat(f.app.postJson("/api/v1/environments/shop/staging/unlock", RollingFixture.TOKEN, "{}")
                    .statusCode()).isEqualTo(409);
            assertThat(f.app.get("/api/v1/audit?environment=staging", RollingFixture.TOKEN).body())
                    .contains("environment.unlocked").contains("host 2 repaired by hand");
        }
    }

    @Test
    void aFailedBatchFinishesBeforeTheRollbackWhichGoesBatchByBatchLastFirst() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 4, "batch: 2", Map.of())) {
            f.deployed("1.0.0");
            // host 4 fails at once; its sibling host 3 is still deploying for a second
            f.hosts.deployScript(4, "if [ \"$1\" = 2.0.0 ]; then exit 3; fi\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT);
            f.hosts.deployScript(3, "if [ \"$1\" = 2.0.0 ]; then sleep 1.5; fi\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT);

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            Instant siblingDone = finished(steps(d, "deploy", "127.0.0.13").get(0));
            List<JsonNode> rollback = rollbackSteps(d);
            assertThat(rollback).isNotEmpty();
            assertThat(rollback).allSatisfy(s -> assertThat(started(s)).as(s.toString()).isAfterOrEqualTo(siblingDone));
            // the failed batch (hosts 3 and 4) goes back first, and wholly before hosts 1 and 2 start
            List<JsonNode> last = rollback.stream().filter(s -> s.get("host").asText().matches("127\\.0\\.0\\.1[34]:.*"))
                    .toList();
            List<JsonNode> first = rollback.stream().filter(s -> s.get("host").asText().matches("127\\.0\\.0\\.1[12]:.*"))
                    .toList();
            assertThat(last).isNotEmpty();
            assertThat(first).isNotEmpty();
            Instant lastBatchDone = last.stream().map(RollbackTest::finished).max(Instant::compareTo).orElseThrow();
            assertThat(first).allSatisfy(s -> assertThat(started(s)).isAfterOrEqualTo(lastBatchDone));
            for (int i = 1; i <= 4; i++) assertThat(f.hosts.version(i)).as("host " + i).isEqualTo("1.0.0");
        }
    }

    @Test
    void eachRolledBackHostIsTakenOutOfRotationAndPutBackLikeInTheRollout() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of(), """
                before-host: "echo before-{{version}} >> hooks"
                after-host: "echo after-{{version}} >> hooks"
                """)) {
            f.deployed("1.0.0");
            f.hosts.unhealthyWhileRunning(2, "2.0.0");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(Files.readAllLines(f.hosts.hostDir(1).resolve("hooks")))
                    .containsExactly("before-1.0.0", "after-1.0.0", "before-2.0.0", "after-2.0.0", "before-1.0.0",
                            "after-1.0.0");
            assertThat(Files.readAllLines(f.hosts.hostDir(2).resolve("hooks")))
                    .containsExactly("before-1.0.0", "after-1.0.0", "before-2.0.0", "before-1.0.0", "after-1.0.0");
            assertThat(steps(d, "rollback-before-host", null)).hasSize(2);
        }
    }

    private static List<JsonNode> rollbackSteps(JsonNode d) {
        return StreamSupport.stream(d.get("steps").spliterator(), false)
                .filter(s -> s.get("stage").asText().startsWith("rollback")).toList();
    }

    private static Instant started(JsonNode step) {
        return Instant.parse(step.get("startedAt").asText());
    }

    private static Instant finished(JsonNode step) {
        return Instant.parse(step.get("finishedAt").asText());
    }

    static List<JsonNode> steps(JsonNode d, String stage, String hostPrefix) {
        return StreamSupport.stream(d.get("steps").spliterator(), false)
                .filter(s -> s.get("stage").asText().equals(stage))
                .filter(s -> hostPrefix == null || (s.hasNonNull("host") && s.get("host").asText().startsWith(hostPrefix)))
                .toList();
    }
}
