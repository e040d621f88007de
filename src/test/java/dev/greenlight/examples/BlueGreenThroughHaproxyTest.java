package dev.greenlight.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greenlight's blue-green pipeline with the shipped {@code examples/haproxy/greenlight-switch} as its switch, run
 * over SSH on the host (an embedded SSH server running real shell commands on this machine), against a real HAProxy
 * with the shipped configuration in front of the host's two colours, real HTTP servers. The health checks after the
 * switch and the watch go through HAProxy ({@code health.live-url}), as users do.
 *
 * <p>A colour's state is files in the host's directory, written by the configured commands: {@code <colour>/version}
 * and {@code <colour>/running} (deploy), {@code <colour>/running} removed (stop). A colour that does not run answers
 * 503 (so HAProxy's own health check takes it down); a running one answers {@code <colour> <version>}. Its
 * {@code /health/errors} counts 0 errors, or, for a version the app treats as bad (a file {@code bad-<version>}),
 * 5 more at every reading.
 */
class BlueGreenThroughHaproxyTest {
    private static final String TOKEN = "test-token-0123456789";
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed",
            "cancelled");

    @TempDir
    Path dir;

    private TestHosts hosts;
    private Path host;
    private Colours colours;
    private Haproxy haproxy;
    private TestDatabase db;
    private TestGreenlight app;
    private Client client;

    @BeforeEach
    void start() throws Exception {
        hosts = TestHosts.start(dir.resolve("hosts"), 1);
        host = hosts.hostDir(1);
        colours = new Colours(colour -> colourApp(host, colour));
        haproxy = Haproxy.start(Files.createDirectories(dir.resolve("haproxy")), colours.blue.hostPort(),
                colours.green.hostPort());
        db = TestDatabase.create();
        app = TestGreenlight.start(config(), db, Map.of("TEST_TOKEN", TOKEN),
                Map.of("greenlight.color-stops.period", "200"));
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) client.close();
        if (app != null) app.close();
        if (haproxy != null) haproxy.close();
        if (colours != null) colours.close();
        if (hosts != null) hosts.close();
        if (db != null) db.close();
    }

    /**
     * The environment: the switch is the shipped script, told where this HAProxy's socket and state file are; the
     * colours' health on their own ports, the live path (and the watch) through HAProxy.
     */
    private Path config() throws IOException {
        Path script = Path.of("examples/haproxy/greenlight-switch").toAbsolutePath();
        String yaml = """
                access:
                  - name: ci
                    token-env: TEST_TOKEN
                    environments: [production]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      production:
                        strategy: blue-green
                        hosts: [%s]
                        ssh: %s
                        colors:
                          blue: { port: %d }
                          green: { port: %d }
                        commands:
                          deploy: "mkdir -p {{color}} && echo {{version}} > {{color}}/version && touch {{color}}/running"
                          switch: "HAPROXY_SOCKET=%s HAPROXY_STATE_FILE=%s %s {{color}} {{port}}"
                          stop: "rm -f {{color}}/running"
                        health:
                          url: "http://127.0.0.1:{{port}}"
                          live-url: "http://127.0.0.1:%d"
                          paths: [/health]
                          attempts: 5
                          interval: 200ms
                          timeout: 2s
                        watch: { duration: 3s, interval: 200ms, max-errors: 3, errors-path: /health/errors }
                        keep-previous: 10m
                """.formatted(hosts.hostList().get(0), hosts.sshYaml(), Colours.port(colours.blue),
                Colours.port(colours.green), haproxy.socket, haproxy.stateFile, script, haproxy.port);
        return Files.writeString(dir.resolve("greenlight.yaml"), yaml);
    }

    @Test
    void aReleaseMovesTrafficThroughHaproxyToTheNewColour() throws Exception {
        release("1.0.0");
        assertThat(colours.answers(haproxy.port, 10)).containsOnly("200 blue 1.0.0");
        long pid = haproxy.pid();
        client = new Client(haproxy.port);

        JsonNode d = awaitEnd(deploy("2.0.0"));

        List<String> seen = client.stop();
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
        assertThat(colours.answers(haproxy.port, 20)).containsOnly("200 green 2.0.0");
        assertThat(haproxy.servers()).containsEntry("green", "ready").containsEntry("blue", "maint");
        assertThat(haproxy.pid()).as("switched without a reload").isEqualTo(pid);
        assertThat(steps(d, "switch")).singleElement().satisfies(s -> {
            assertThat(s.get("status").asText()).isEqualTo("succeeded");
            assertThat(s.get("output").asText()).contains("app now sends traffic to green (127.0.0.1:"
                    + Colours.port(colours.green) + ")");
        });
        assertThat(seen).as("every request through HAProxy during the release").isNotEmpty()
                .allMatch(a -> a.equals("200 blue 1.0.0") || a.equals("200 green 2.0.0"))
                .contains("200 blue 1.0.0").endsWith("200 green 2.0.0");
        // keep-previous: the old colour still runs, out of traffic, for an instant rollback
        assertThat(Files.exists(host.resolve("blue/running"))).isTrue();
        assertThat(colours.green.requests()).as("the watch read the new colour's errors through HAProxy")
                .contains("GET /health/errors");
    }

    @Test
    void errorsRisingOnTheNewColourPutTrafficBackThroughHaproxyOnTheOldOne() throws Exception {
        release("1.0.0");
        Files.writeString(host.resolve("bad-2.0.0"), "");
        client = new Client(haproxy.port);

        JsonNode d = awaitEnd(deploy("2.0.0"));

        List<String> seen = client.stop();
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
        assertThat(d.get("detail").asText()).startsWith("watch: ").contains("/health/errors said errors=");
        assertThat(colours.answers(haproxy.port, 20)).containsOnly("200 blue 1.0.0");
        assertThat(haproxy.servers()).containsEntry("blue", "ready").containsEntry("green", "maint");
        assertThat(Files.exists(host.resolve("green/running"))).as("the bad colour stopped").isFalse();
        assertThat(colours.green.requests()).as("the watch read the bad colour's errors through HAProxy")
                .contains("GET /health/errors");
        assertThat(stages(d)).containsSubsequence("switch", "watch", "rollback-switch", "rollback-stop",
                "rollback-health");
        assertThat(steps(d, "watch")).anyMatch(s -> s.get("status").asText().equals("failed"));
        assertThat(steps(d, "rollback-switch")).singleElement().satisfies(s -> {
            assertThat(s.get("status").asText()).isEqualTo("succeeded");
            assertThat(s.get("output").asText()).contains("app now sends traffic to blue (127.0.0.1:"
                    + Colours.port(colours.blue) + ")");
        });
        assertThat(steps(d, "rollback-health")).singleElement()
                .satisfies(s -> assertThat(s.get("status").asText()).isEqualTo("succeeded"));
        assertThat(seen).as("every request through HAProxy, the bad version's and the rollback's included")
                .isNotEmpty().allMatch(a -> a.equals("200 blue 1.0.0") || a.equals("200 green 2.0.0"))
                .contains("200 green 2.0.0").endsWith("200 blue 1.0.0");
    }

    /**
     * One colour of the app on a free loopback port; what it serves follows the host's files (the class comment).
     */
    private static TestHttpServer colourApp(Path host, String colour) {
        Path state = host.resolve(colour);
        AtomicInteger errors = new AtomicInteger();
        return new TestHttpServer()
                .on("/", exchange -> {
                    String version = runningVersion(state);
                    TestHttpServer.respond(exchange, version == null ? 503 : 200,
                            version == null ? "not running" : colour + " " + version);
                })
                .on("/health", exchange -> TestHttpServer.respond(exchange, runningVersion(state) == null ? 503 : 200,
                        "{}"))
                .on("/health/errors", exchange -> {
                    String version = runningVersion(state);
                    boolean bad = version != null && Files.exists(host.resolve("bad-" + version));
                    TestHttpServer.respond(exchange, version == null ? 503 : 200,
                            "{\"errors\":" + (bad ? errors.addAndGet(5) : 0) + "}");
                });
    }

    private static String runningVersion(Path state) {
        try {
            return Files.exists(state.resolve("running")) ? Files.readString(state.resolve("version")).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void release(String version) {
        JsonNode d = awaitEnd(deploy(version));
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
    }

    private long deploy(String version) {
        var r = app.postJson("/api/v1/deployments", TOKEN,
                "{\"app\":\"shop\",\"environment\":\"production\",\"version\":\"" + version + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r.body()).get("id").asLong();
    }

    private JsonNode awaitEnd(long id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> TERMINAL.contains(deployment(id).get("status").asText()));
        return deployment(id);
    }

    private JsonNode deployment(long id) {
        return json(app.get("/api/v1/deployments/" + id, TOKEN).body());
    }

    private static List<JsonNode> steps(JsonNode d, String stage) {
        return StreamSupport.stream(d.get("steps").spliterator(), false)
                .filter(s -> s.get("stage").asText().equals(stage)).toList();
    }

    private static List<String> stages(JsonNode d) {
        return StreamSupport.stream(d.get("steps").spliterator(), false).map(s -> s.get("stage").asText()).toList();
    }

    private static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A keep-alive client sending one request after another through HAProxy until stopped, keeping every answer
     * ({@code <status> <body>}, or the error of a request that failed).
     */
    private final class Client implements AutoCloseable {
        private final List<String> answers = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        Client(int port) {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        answers.addAll(colours.answers(port, 1));
                    } catch (IOException e) {
                        answers.add("failed: " + e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "through-haproxy");
            thread.start();
        }

        List<String> stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
            return List.copyOf(answers);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
