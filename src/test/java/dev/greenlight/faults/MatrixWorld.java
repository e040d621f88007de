package dev.greenlight.faults;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.http.Json;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The matrix's one service and one set of hosts, shared by every cell: a real Greenlight with {@code shop/staging}
 * (rolling, hosts 1 and 2, batches of one) and {@code shop/production} (blue-green, hosts 3 and 4, its database and
 * backups on host 5), real SSH hosts running real shell commands, and real HTTP endpoints whose answers follow files
 * in each host's directory. Every configured command first runs the host's {@code gate.sh <command> <version>},
 * which fails ({@code fail}), hangs ({@code hang}) or holds ({@code hold}: writes {@code held-<command>-<version>} and
 * waits until the fault file is gone, then fails) when a file {@code fault-<command>-<version>} says so: the rollback
 * runs the same commands with the previous version, so it passes the gate.
 *
 * <p>Rolling hosts answer as {@link TestHosts} describes. A blue-green host serves each colour on its port and the live
 * path on a third, which answers as the colour named in the host's {@code live} file: 503 unless that colour runs,
 * or while it runs a version named by {@code unhealthy-<version>}, {@code unhealthy-live-<version>} (the live path
 * only) or {@code fail_<path>-<version>} (that path); {@code delay_<path>-<version>} holds milliseconds to wait
 * ({@code delay-live_<path>-<version>} on the live path only);
 * {@code /health/errors} answers a count that climbs by 5 per request through the live path while
 * {@code errors-climb-<version>} exists. The switch command appends a line to the database, as live traffic writes.
 */
final class MatrixWorld implements AutoCloseable {
    static final String TOKEN = "matrix-token-5c0ffee1";
    /**
     * The environments' one bound on every remote command (there is no per-command timeout). It also bounds the
     * pre-check's probe, handshake included, so it cannot be cut as short as a hang alone would allow.
     */
    static final String COMMAND_TIMEOUT = "5s";
    static final String BASELINE = "1.0.0";
    private static final String GATE = """
            # the fault injected into command $1 of version $2, if any
            f="fault-$1-$2"
            [ -e "$f" ] || exit 0
            case "$(cat "$f")" in
              fail) echo "injected failure of $1" >&2; exit 3 ;;
              hang) exec sleep 60 ;;
              hold) touch "held-$1-$2"; while [ -e "$f" ]; do sleep 0.1; done; exit 3 ;;
            esac
            """;
    private static final List<String> FAULT_FILES = List.of("fault-", "held-", "unhealthy-", "fail_", "delay_",
            "delay-live_", "errors-climb-");

    final TestHosts hosts;
    final TestDatabase db;
    /** The in-process service, until a crash cell hands the world to a child process ({@link #handOver}). */
    private final TestGreenlight app;
    private boolean appRunning = true;
    private volatile URI service;
    final Path config;
    final int bluePort = TestGreenlight.freePort();
    final int greenPort = TestGreenlight.freePort();
    final int livePort = TestGreenlight.freePort();
    final Path database;
    private final TestHttpServer chat;
    private final List<HttpServer> colourServers = new ArrayList<>();
    private final ExecutorService colourThreads = Executors.newCachedThreadPool();
    private final AtomicInteger errorCount = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    MatrixWorld(Path dir) throws IOException {
        hosts = TestHosts.start(dir.resolve("hosts"), 5);
        for (int i = 1; i <= 5; i++) Files.writeString(hosts.hostDir(i).resolve("gate.sh"), GATE);
        database = Files.createDirectories(dir.resolve("database"));
        Files.writeString(database.resolve("data"), "orders: 3\n");
        for (int i = 3; i <= 4; i++) {
            serveColour(i, bluePort, "blue", false);
            serveColour(i, greenPort, "green", false);
            serveColour(i, livePort, null, true);
        }
        chat = new TestHttpServer().on("/oncall", TestHttpServer.status(200, "ok"));
        Path chatUrl = Files.writeString(dir.resolve("chat-url"), chat.url() + "/oncall\n");
        config = Files.writeString(dir.resolve("greenlight.yaml"), config(chatUrl));
        db = TestDatabase.create();
        app = TestGreenlight.start(config, db, Map.of("TEST_TOKEN", TOKEN), SETTINGS);
        service = app.uri("");
    }

    /** The service's settings beyond TestGreenlight's: the matrix waits for neither stops nor notices. */
    static final Map<String, String> SETTINGS = Map.of("greenlight.color-stops.period", "200",
            "greenlight.notifications.period", "200");

    /**
     * From now on the service is the one at {@code uri} (a child process on the same database and hosts): the
     * in-process one is stopped, so that no second instance dispatches or recovers the matrix's deployments.
     */
    void handOver(URI uri) {
        if (appRunning) {
            app.close();
            appRunning = false;
        }
        service = uri;
    }

    private String config(Path chatUrl) {
        List<String> h = hosts.hostList();
        return """
                access:
                  - name: matrix
                    token-env: TEST_TOKEN
                    environments: [staging, production]
                notifications:
                  oncall: { type: webhook, url-file: "%s" }
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [%s, %s]
                        ssh: %s
                        batch: 1
                        command-timeout: %s
                        build-host: %s
                        notify: [oncall]
                        commands:
                          build: "sh ./gate.sh build {{version}}"
                          pre-deploy: "sh ./gate.sh pre-deploy {{version}}"
                          before-host: "sh ./gate.sh before-host {{version}}"
                          deploy: "sh ./gate.sh deploy {{version}} && sh ./deploy.sh {{version}}"
                          after-host: "sh ./gate.sh after-host {{version}}"
                          post-deploy: "sh ./gate.sh post-deploy {{version}}"
                        health:
                          command: "sh ./gate.sh health {{version}}"
                          url: "http://{{host}}:%d"
                          paths: [/health]
                          attempts: 2
                          interval: 100ms
                          timeout: 1s
                        smoke:
                          - { name: smoke, path: /smoke }
                      production:
                        strategy: blue-green
                        hosts: [%s, %s]
                        backup-host: %s
                        ssh: %s
                        command-timeout: %s
                        notify: [oncall]
                        colors:
                          blue: { port: %d }
                          green: { port: %d }
                        keep-previous: 0s
                        commands:
                          deploy: "sh ./gate.sh deploy {{version}} && mkdir -p {{color}} && echo {{version}} > {{color}}/version && touch {{color}}/running"
                          switch: "sh ./gate.sh switch {{version}} && echo {{color}} > live && echo traffic on {{version}} >> %s"
                          stop: "sh ./gate.sh stop {{version}} && rm -f {{color}}/running"
                          post-deploy: "sh ./gate.sh post-deploy {{version}}"
                          backup: "sh ./gate.sh backup {{version}} && cp %s %s/{{backup}}"
                          restore: "cp %s/{{backup}} %s"
                        health:
                          command: "sh ./gate.sh health {{version}}"
                          url: "http://{{host}}:{{port}}"
                          live-url: "http://{{host}}:%d"
                          paths: [/health]
                          attempts: 2
                          interval: 100ms
                          timeout: 1s
                        smoke:
                          - { name: smoke, path: /smoke }
                        watch: { duration: 2s, interval: 200ms, max-errors: 0, errors-path: /health/errors }
                """.formatted(chatUrl, h.get(0), h.get(1), ssh(), COMMAND_TIMEOUT, h.get(0), hosts.httpPort(),
                h.get(2), h.get(3), h.get(4), ssh(), COMMAND_TIMEOUT, bluePort, greenPort, data(), data(),
                database, database, data(), livePort);
    }

    /** Handshakes on a loaded machine take seconds: the connect timeout is not what the matrix tests. */
    private String ssh() {
        return "{ user: deploy, key-file: " + hosts.keyFile() + ", known-hosts: " + hosts.knownHosts()
                + ", connect-timeout: 10s }";
    }

    private Path data() {
        return database.resolve("data");
    }

    /** Host {@code i}'s endpoint for {@code colour} (or, when {@code live}, its live path). */
    private void serveColour(int i, int port, String colour, boolean live) throws IOException {
        Path dir = hosts.hostDir(i);
        HttpServer server = HttpServer.create(new InetSocketAddress(TestHosts.address(i), port), 50);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String c = live ? read(dir.resolve("live")) : colour;
            boolean running = c != null && Files.exists(dir.resolve(c).resolve("running"));
            String version = running ? read(dir.resolve(c).resolve("version")) : null;
            String delay = version == null ? null : read(dir.resolve("delay" + path.replace('/', '_') + "-" + version));
            if (delay == null && live && version != null) {
                delay = read(dir.resolve("delay-live" + path.replace('/', '_') + "-" + version));
            }
            if (delay != null) TestHttpServer.sleep(Long.parseLong(delay));
            int status;
            String body;
            if (path.equals("/health/errors")) {
                boolean climbing = live && version != null && Files.exists(dir.resolve("errors-climb-" + version));
                status = running ? 200 : 503;
                body = "{\"errors\":" + (climbing ? errorCount.addAndGet(5) : 0) + "}";
            } else {
                boolean healthy = version != null && !Files.exists(dir.resolve("unhealthy-" + version))
                        && !(live && Files.exists(dir.resolve("unhealthy-live-" + version)))
                        && !Files.exists(dir.resolve("fail" + path.replace('/', '_') + "-" + version));
                status = healthy ? 200 : 503;
                body = "{\"color\":\"" + c + "\",\"version\":\"" + version + "\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(colourThreads);
        server.start();
        colourServers.add(server);
    }

    long deploy(Pipeline pipeline, String version) {
        HttpResponse<String> r = post("/api/v1/deployments", "{\"app\":\"shop\",\"environment\":\""
                + pipeline.environment() + "\",\"version\":\"" + version + "\"}");
        if (r.statusCode() != 202) throw new AssertionError("deploy refused: " + r.statusCode() + " " + r.body());
        return json(r.body()).get("id").asLong();
    }

    JsonNode deployment(long id) {
        return json(send(request("/api/v1/deployments/" + id).GET()).body());
    }

    JsonNode awaitEnd(long id) {
        Set<String> terminal = Set.of("succeeded", "failed", "rolled_back", "rollback_failed", "cancelled");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> terminal.contains(deployment(id).get("status").asText()));
        return deployment(id);
    }

    /** The environment's row: live version and colour, and its lease (a lock after a failed rollback). */
    Map<String, Object> environment(Pipeline pipeline) {
        return Sql.rows(db, "select * from environment_state where app = 'shop' and environment = ?",
                pipeline.environment()).get(0);
    }

    String liveVersion(Pipeline pipeline) {
        return (String) environment(pipeline).get("live_version");
    }

    String liveColour() {
        return (String) environment(Pipeline.BLUE_GREEN).get("live_color");
    }

    static String otherColour(String colour) {
        return "blue".equals(colour) ? "green" : "blue";
    }

    /** The version a rolling host's deploy wrote. */
    String version(int host) {
        return hosts.version(host);
    }

    /** What a host answers on {@code /health}: the rolling app's port, or for a blue-green host its live path. */
    String answer(int host) {
        int port = host <= 2 ? hosts.httpPort() : livePort;
        return get("http://" + TestHosts.address(host) + ":" + port + "/health");
    }

    /** The colour blue-green host {@code i} sends traffic to. */
    String live(int host) {
        return read(hosts.hostDir(host).resolve("live"));
    }

    boolean running(int host, String colour) {
        return Files.exists(hosts.hostDir(host).resolve(colour).resolve("running"));
    }

    String colourVersion(int host, String colour) {
        return read(hosts.hostDir(host).resolve(colour).resolve("version"));
    }

    String databaseContent() {
        return read(data());
    }

    String file(Path path) {
        return read(path);
    }

    void writeFault(int host, String name, String content) {
        try {
            Files.writeString(hosts.hostDir(host).resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Back to a clean state for the next cell: the fault lifted, an environment a failed rollback locked unlocked
     * after its hosts are put back on the live version by hand (what the operator the lock waits for does), and an old
     * colour whose stop failed stopped by hand (the release stood; what its operator does), so the idle colour is idle.
     */
    void reset() {
        liftFaults();
        String idle = otherColour(liveColour());
        for (int i = 3; i <= 4; i++) {
            try {
                Files.deleteIfExists(hosts.hostDir(i).resolve(idle).resolve("running"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Pipeline pipeline : Pipeline.values()) {
            if (lockedBy(pipeline) == null) continue;
            reconcile(pipeline);
            HttpResponse<String> r = post("/api/v1/environments/shop/" + pipeline.environment() + "/unlock",
                    "{\"reason\":\"hosts put back by the fault matrix\"}");
            if (r.statusCode() != 200) throw new AssertionError("unlock refused: " + r.body());
        }
    }

    /** The fault is over: no fault files, every SSH host reachable with a normal shell. */
    void liftFaults() {
        for (int i = 1; i <= 5; i++) {
            hosts.ssh(i).reachable();
            hosts.ssh(i).normalShell();
            try (Stream<Path> files = Files.list(hosts.hostDir(i))) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    if (FAULT_FILES.stream().anyMatch(name::startsWith)) Files.delete(f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The deployment whose failed rollback locks the environment, or null. */
    Long lockedBy(Pipeline pipeline) {
        return EnvironmentLease.lockingDeployment((String) environment(pipeline).get("lease_holder")).orElse(null);
    }

    private void reconcile(Pipeline pipeline) {
        String version = liveVersion(pipeline);
        if (pipeline == Pipeline.ROLLING) {
            for (int i = 1; i <= 2; i++) if (!version.equals(version(i))) hosts.setVersion(i, version);
            return;
        }
        String colour = liveColour();
        for (int i = 3; i <= 4; i++) {
            writeFault(i, "live", colour + "\n");
            writeFault(i, colour + "/version", version + "\n");
            writeFault(i, colour + "/running", "");
            try {
                Files.deleteIfExists(hosts.hostDir(i).resolve(otherColour(colour)).resolve("running"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(service + path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            return "no answer: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        if (appRunning) app.close();
        colourServers.forEach(s -> s.stop(0));
        colourThreads.shutdownNow();
        chat.close();
        hosts.close();
        db.close();
    }
}
