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
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Greenlight's blue-green pipeline in front of a real proxy: one host (an embedded SSH server running real shell
 * commands on this machine) with two colours of an app, real HTTP servers on free loopback ports, and a blue-green
 * environment {@code shop/production} whose switch is a shipped {@code examples/<proxy>/greenlight-switch}, its
 * health checks after the switch and its watch going through the proxy ({@code health.live-url}), as users do.
 * Built in two steps: {@link #hosts} (the colours' ports are what the proxy is configured with), then
 * {@link #start} (the switch and the live path are the proxy's).
 *
 * <p>A colour's state is files in the host's directory, written by the configured commands: {@code <colour>/version}
 * and {@code <colour>/running} (deploy), {@code <colour>/running} removed (stop). A colour that does not run answers
 * 503 (so HAProxy's own health check takes it down); a running one answers {@code <colour> <version>}. Its
 * {@code /health/errors} counts 0 errors, or, for a version the app treats as bad (a file {@code bad-<version>}),
 * 5 more at every reading.
 */
final class ProxiedBlueGreen implements AutoCloseable {
    private static final String TOKEN = "test-token-0123456789";
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed",
            "cancelled");

    final Path host;
    final Colours colours;
    private final Path dir;
    private final TestHosts hosts;
    private TestDatabase db;
    private TestGreenlight app;

    private ProxiedBlueGreen(Path dir, TestHosts hosts) {
        this.dir = dir;
        this.hosts = hosts;
        this.host = hosts.hostDir(1);
        this.colours = new Colours(colour -> colourApp(host, colour));
    }

    static ProxiedBlueGreen hosts(Path dir) throws IOException {
        return new ProxiedBlueGreen(dir, TestHosts.start(dir.resolve("hosts"), 1));
    }

    /**
     * Starts Greenlight with the environment: the colours' health on their own ports, the live path (and the
     * watch) through the proxy on {@code proxyPort}.
     *
     * @param proxy       {@code nginx} or {@code haproxy}: which shipped switch script
     * @param environment the script's settings, put before it in the command
     */
    void start(String proxy, Map<String, String> environment, int proxyPort) throws IOException {
        String script = Path.of("examples", proxy, "greenlight-switch").toAbsolutePath().toString();
        String settings = environment.entrySet().stream().map(e -> e.getKey() + "='" + e.getValue() + "'")
                .sorted().collect(Collectors.joining(" "));
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
                          switch: "%s %s {{color}} {{port}}"
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
                Colours.port(colours.green), settings, script, proxyPort);
        Path config = Files.writeString(dir.resolve("greenlight.yaml"), yaml);
        db = TestDatabase.create();
        app = TestGreenlight.start(config, db, Map.of("TEST_TOKEN", TOKEN),
                Map.of("greenlight.color-stops.period", "200"));
    }

    /** One colour of the app on a free loopback port; what it serves follows the host's files (the class comment). */
    static TestHttpServer colourApp(Path host, String colour) {
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

    boolean running(String colour) {
        return Files.exists(host.resolve(colour).resolve("running"));
    }

    /** Makes {@code version} one the app treats as bad: its error count rises once it runs. */
    void bad(String version) throws IOException {
        Files.writeString(host.resolve("bad-" + version), "");
    }

    /** Deploys {@code version} and expects it to succeed. */
    void release(String version) {
        JsonNode d = awaitEnd(deploy(version));
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
    }

    long deploy(String version) {
        var r = app.postJson("/api/v1/deployments", TOKEN,
                "{\"app\":\"shop\",\"environment\":\"production\",\"version\":\"" + version + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r.body()).get("id").asLong();
    }

    JsonNode awaitEnd(long id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> TERMINAL.contains(deployment(id).get("status").asText()));
        return deployment(id);
    }

    private JsonNode deployment(long id) {
        return json(app.get("/api/v1/deployments/" + id, TOKEN).body());
    }

    static List<JsonNode> steps(JsonNode d, String stage) {
        return StreamSupport.stream(d.get("steps").spliterator(), false)
                .filter(s -> s.get("stage").asText().equals(stage)).toList();
    }

    static List<String> stages(JsonNode d) {
        return StreamSupport.stream(d.get("steps").spliterator(), false).map(s -> s.get("stage").asText()).toList();
    }

    private static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A keep-alive client sending requests one after another through the proxy on {@code port} until stopped. */
    Client client(int port) {
        return new Client(port);
    }

    /** Keeps every answer ({@code <status> <body>}, or the error of a request that failed). */
    final class Client implements AutoCloseable {
        private final List<String> answers = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        private Client(int port) {
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
            }, "through-the-proxy");
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

    @Override
    public void close() throws Exception {
        if (app != null) app.close();
        colours.close();
        hosts.close();
        if (db != null) db.close();
    }
}
