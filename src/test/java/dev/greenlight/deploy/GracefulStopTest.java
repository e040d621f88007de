package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a service in a JVM of its own while a deployment's remote command runs: the command finishes and its
 * step is recorded, no step starts after the signal, the process exits within camel.main.shutdown-timeout, a queued
 * deployment stays queued; the next start settles the interrupted one once its lease has lapsed and runs the queue.
 */
class GracefulStopTest {
    private static final String TOKEN = "test-token-0123456789";
    private static final int SHUTDOWN_TIMEOUT_SECONDS = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void theRunningStepFinishesNoOtherStartsAndTheQueueWaitsForTheNextStart() throws Exception {
        try (TestHosts hosts = TestHosts.start(dir.resolve("hosts"), 2); TestDatabase db = TestDatabase.postgres()) {
            for (int i = 1; i <= 2; i++) {
                hosts.deployScript(i, "[ \"$1\" = 2.0.0 ] && sleep 4\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT);
            }
            Path config = Files.writeString(dir.resolve("greenlight.yaml"), config(hosts));
            long slow;
            long queued;
            long signalled;
            String firstLog;
            try (Child first = Child.start(dir, config, db)) {
                slow = first.deploy("2.0.0");
                queued = first.deploy("3.0.0");
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() ->
                        deployRunning(db, slow) || RollingFixture.TERMINAL.contains(status(db, slow)));
                assertThat(deployRunning(db, slow)).as("the slow deploy runs: %s\n%s", first.deployment(slow),
                        first.process.stdout()).isTrue();
                signalled = System.nanoTime();
                first.process.terminate();
                first.process.awaitExit();
                firstLog = first.process.stdout();
                assertThat(Duration.ofNanos(System.nanoTime() - signalled))
                        .isLessThan(Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS));
            }
            // the deploy under way finished and was recorded; nothing started after it
            List<Map<String, Object>> steps = Sql.rows(db, "select stage, host, status from deployment_steps where "
                    + "deployment_id = ? and stage <> 'pre-check' order by id", slow);
            assertThat(steps).as(firstLog).hasSize(1);
            assertThat(steps.get(0)).containsEntry("stage", "deploy").containsEntry("status", "succeeded");
            assertThat(hosts.version(1)).isEqualTo("2.0.0");
            assertThat(hosts.history(2)).isEmpty();
            assertThat(status(db, slow)).isEqualTo("running"); // left to its lease
            assertThat(status(db, queued)).isEqualTo("queued");

            try (Child second = Child.start(dir, config, db)) {
                JsonNode interrupted = second.awaitEnd(slow);
                assertThat(interrupted.get("status").asText()).isEqualTo("failed");
                // recovered by the next start: a first deployment has nothing to roll back to
                assertThat(interrupted.get("detail").asText()).startsWith("recovered after an interruption")
                        .contains("left as they are");
                assertThat(second.awaitEnd(queued).get("status").asText()).isEqualTo("succeeded");
                assertThat(hosts.version(2)).isEqualTo("3.0.0");
            }
        }
    }

    private static boolean deployRunning(TestDatabase db, long id) {
        return Sql.count(db, "select count(*) from deployment_steps where deployment_id = ? and stage = 'deploy' "
                + "and status = 'running'", id) == 1;
    }

    private static String status(TestDatabase db, long id) {
        return (String) Sql.rows(db, "select status from deployments where id = ?", id).get(0).get("status");
    }

    private static String config(TestHosts hosts) {
        return """
                access:
                  - name: ci
                    token-env: TEST_TOKEN
                    environments: [staging]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        trigger: { push: main }
                        hosts: [%s]
                        batch: 1
                        ssh: %s
                        commands:
                          deploy: "sh ./deploy.sh {{version}}"
                        health:
                          url: "http://{{host}}:%d"
                          paths: [/health]
                          attempts: 2
                          interval: 200ms
                          timeout: 1s
                """.formatted(String.join(", ", hosts.hostList()), ssh(hosts), hosts.httpPort());
    }

    /** A second JVM connecting to the hosts on a loaded machine: the default connect timeout, not the tests' 3 s. */
    private static String ssh(TestHosts hosts) {
        return "{ user: deploy, key-file: " + hosts.keyFile() + ", known-hosts: " + hosts.knownHosts() + " }";
    }

    /** The service in a JVM of its own on free ports, with a lease of 6 s so the next start settles quickly. */
    private record Child(ChildGreenlight process, int port) implements AutoCloseable {
        static Child start(Path dir, Path config, TestDatabase db) throws Exception {
            int port = TestGreenlight.freePort();
            int management = TestGreenlight.freePort();
            ChildGreenlight process = ChildGreenlight.start(dir, Map.of("TEST_TOKEN", TOKEN), List.of(
                    "-Dcamel.server.port=" + port, "-Dcamel.management.port=" + management,
                    "-Dcamel.server.host=127.0.0.1", "-Dcamel.management.host=127.0.0.1",
                    "-Dgreenlight.config=" + config, "-Dgreenlight.db.url=" + db.url(),
                    "-Dgreenlight.db.user=" + db.user(), "-Dgreenlight.db.schema=" + db.schema(),
                    "-Dgreenlight.lease.ttl=6s", "-Dgreenlight.dispatch.period=200",
                    "-Dcamel.main.shutdown-timeout=" + SHUTDOWN_TIMEOUT_SECONDS));
            Child child = new Child(process, port);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) throw new AssertionError("did not start: " + process.stdout());
                        return child.get("/api/v1/environments").statusCode() == 200;
                    });
            return child;
        }

        long deploy(String version) throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/deployments"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"app\":\"shop\",\"environment\":\"staging\","
                            + "\"version\":\"" + version + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            return RollingFixture.json(r.body()).get("id").asLong();
        }

        JsonNode awaitEnd(long id) throws Exception {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> RollingFixture.TERMINAL.contains(deployment(id).path("status").asText()));
            return deployment(id);
        }

        JsonNode deployment(long id) throws Exception {
            return RollingFixture.json(get("/api/v1/deployments/" + id).body());
        }

        HttpResponse<String> get(String path) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        @Override
        public void close() throws Exception {
            process.close();
        }
    }
}
