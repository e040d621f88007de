package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.TestHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cancel is honoured wherever the rollout is, or refused with 409 saying why; never accepted and then dropped. */
class CancelTest {
    @TempDir
    Path dir;

    @Test
    void aCancelDuringTheLastBatchStopsAfterTheCurrentStepAndRollsBack() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            Path started = f.hosts.hostDir(2).resolve("started");
            f.hosts.deployScript(2, "touch started; sleep 2\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT);
            long id = f.deploy("2.0.0");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));

            var r = cancel(f, id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).startsWith("cancelled on request");
            assertThat(RollbackTest.steps(d, "health", "127.0.0.12")).as("stopped after the deploy step").isEmpty();
            assertThat(f.hosts.history(2)).containsExactly("1.0.0", "2.0.0", "1.0.0");
        }
    }

    @Test
    void aCancelDuringSmokeTestsIsHonouredAndRollsBack() throws Exception {
        String smoke = "batch: 1\nsmoke:\n  - { name: home, path: /smoke }";
        try (RollingFixture f = RollingFixture.start(dir, 1, smoke, Map.of())) {
            f.deployed("1.0.0");
            CountDownLatch inSmoke = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AdviceWith.adviceWith(f.app.context(), "smoke-test-hosts", a -> a.weaveById("smoke-test").before()
                    .process(e -> hold(inSmoke, release)));
            long id = f.deploy("2.0.0");
            assertThat(inSmoke.await(30, TimeUnit.SECONDS)).isTrue();

            var r = cancel(f, id);
            release.countDown();

            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode d = f.awaitEnd(id);
            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).startsWith("cancelled on request");
            assertThat(f.hosts.version(1)).isEqualTo("1.0.0");
        }
    }

    @Test
    void aCancelAfterTheLastCancelPointIsRefusedSayingWhy() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of())) {
            CountDownLatch finishing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AdviceWith.adviceWith(f.app.context(), "run-deployment", a -> a.weaveById("last-cancel-point").after()
                    .process(e -> hold(finishing, release)));
            long id = f.deploy("1.0.0");
            assertThat(finishing.await(30, TimeUnit.SECONDS)).isTrue();

            var r = cancel(f, id);
            release.countDown();

            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            assertThat(r.body()).contains("passed its last cancel point").contains("can no longer be cancelled");
            JsonNode d = f.awaitEnd(id);
            assertThat(d.get("status").asText()).isEqualTo("succeeded");
            assertThat(d.get("cancelRequested").asBoolean()).as("nothing was accepted").isFalse();
        }
    }

    @Test
    void aCancelDuringARollbackIsRefusedSayingWhy() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.unhealthyWhileRunning(1, "2.0.0");
            CountDownLatch rollingBack = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AdviceWith.adviceWith(f.app.context(), "rollback-host", a -> a.weaveById("rollback-deploy").before()
                    .process(e -> hold(rollingBack, release)));
            long id = f.deploy("2.0.0");
            assertThat(rollingBack.await(30, TimeUnit.SECONDS)).isTrue();

            var r = cancel(f, id);
            release.countDown();

            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            assertThat(r.body()).contains("is rolling back");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rolled_back");
        }
    }

    private static java.net.http.HttpResponse<String> cancel(RollingFixture f, long id) {
        return f.app.postJson("/api/v1/deployments/" + id + "/cancel", RollingFixture.TOKEN, "{}");
    }

    /** Tells the test the pipeline is here, then waits for it (bounded, so a failed test cannot hang the run). */
    private static void hold(CountDownLatch here, CountDownLatch release) throws InterruptedException {
        here.countDown();
        release.await(30, TimeUnit.SECONDS);
    }
}
