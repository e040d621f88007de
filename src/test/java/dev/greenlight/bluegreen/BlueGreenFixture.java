package dev.greenlight.bluegreen;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.greenlight.http.Json;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.stream.StreamSupport;

/**
 * A running Greenlight with a blue-green environment {@code shop/production} on real SSH hosts (embedded servers
 * running real shell commands in each host's directory) whose two colours are real HTTP servers on each host's
 * address, one port per colour, plus a "proxy" port per host that answers as the colour named in the host's
 * {@code live} file. A colour's state is files in the host's directory, written by the configured commands:
 * {@code <colour>/version} and {@code <colour>/running} (deploy), {@code live} (switch), {@code <colour>/running}
 * removed (stop); every command appends a line to {@code log}. A colour answers 503 unless it runs, and while it runs
 * a version named by a file {@code unhealthy-<version>}; {@code /health/errors} answers {@code {"errors": n}} with n
 * from the file {@code errors-<version>} (0 when absent). Scripts {@code deploy-hook} and {@code stop-hook}, if
 * present, run inside the deploy and stop commands. A file {@code fail-switch-<colour>} makes the switch to that colour
 * fail.
 *
 * <p>Tokens {@link #TOKEN} (access rule {@code ci}), {@link #ALICE} and {@link #BOB} may act on production;
 * {@link #OUTSIDER} only on {@code shop/staging}, a rolling environment beside it, there for the API's scopes.
 */
public final class BlueGreenFixture implements AutoCloseable {
    public static final String TOKEN = "test-token-0123456789";
    public static final String ALICE = "tok-alice-5e1f09";
    public static final String BOB = "tok-bob-77c2aa";
    public static final String OUTSIDER = "tok-outsider-0d93b1";
    public static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed",
            "cancelled");

    /**
     * What a fixture starts with.
     *
     * @param hostCount  the environment's hosts
     * @param spareHosts SSH hosts started after the environment's, outside {@code hosts:}; {@code SPARE_HOST_1} in
     *                   {@code extras} names the first (e.g. as the backup host)
     * @param commands   YAML lines added under {@code commands:} (backup, restore, hooks)
     * @param extras     YAML lines added to the environment (watch, keep-previous, approval, ...)
     * @param properties Greenlight properties on top of the fixture's short timer periods
     * @param config     top-level YAML lines added to the configuration (notifications, github, ...)
     */
    public record Setup(int hostCount, int spareHosts, String commands, String extras, Map<String, String> properties,
                        String config) {
        public Setup(int hostCount, String commands, String extras) {
            this(hostCount, 0, commands, extras, Map.of());
        }

        public Setup(int hostCount, int spareHosts, String commands, String extras, Map<String, String> properties) {
            this(hostCount, spareHosts, commands, extras, properties, "");
        }
    }

    public final TestHosts hosts;
    public final TestDatabase db;
    public final TestGreenlight app;
    public final int bluePort;
    public final int greenPort;
    public final int livePort;
    private final List<HttpServer> servers;

    private BlueGreenFixture(TestHosts hosts, TestDatabase db, TestGreenlight app, int[] ports, List<HttpServer> servers) {
        this.hosts = hosts;
        this.db = db;
        this.app = app;
        this.bluePort = ports[0];
        this.greenPort = ports[1];
        this.livePort = ports[2];
        this.servers = servers;
    }

    static BlueGreenFixture start(Path dir, int hostCount, String commands, String extras) throws IOException {
        return start(dir, new Setup(hostCount, commands, extras));
    }

    static BlueGreenFixture start(Path dir, int hostCount, int spareHosts, String commands, String extras)
            throws IOException {
        return start(dir, new Setup(hostCount, spareHosts, commands, extras, Map.of()));
    }

    public static BlueGreenFixture start(Path dir, Setup setup) throws IOException {
        int hostCount = setup.hostCount();
        int spareHosts = setup.spareHosts();
        TestHosts hosts = TestHosts.start(dir.resolve("hosts"), hostCount + spareHosts);
        int[] ports = {TestGreenlight.freePort(), TestGreenlight.freePort(), TestGreenlight.freePort()};
        List<HttpServer> servers = new ArrayList<>();
        for (int i = 1; i <= hostCount; i++) {
            Path hostDir = hosts.hostDir(i);
            servers.add(serve(TestHosts.address(i), ports[0], hostDir, exchange -> "blue"));
            servers.add(serve(TestHosts.address(i), ports[1], hostDir, exchange -> "green"));
            servers.add(serve(TestHosts.address(i), ports[2], hostDir, exchange -> read(hostDir.resolve("live"))));
        }
        String yaml = """
                access:
                  - name: ci
                    token-env: TEST_TOKEN
                    environments: [production]
                  - name: alice
                    token-env: TOKEN_ALICE
                    environments: [production]
                  - name: bob
                    token-env: TOKEN_BOB
                    environments: [production]
                  - name: outsider
                    token-env: TOKEN_OUTSIDER
                    environments: [staging]
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
                          deploy: "mkdir -p {{color}} && echo {{version}} > {{color}}/version && touch {{color}}/running && { test ! -e deploy-hook || sh deploy-hook; } && echo deploy {{color}} {{version}} {{port}} >> log"
                          switch: "test ! -e fail-switch-{{color}} && echo {{color}} > live && echo switch {{color}} {{port}} >> log"
                          stop: "{ test ! -e stop-hook || sh stop-hook; } && rm -f {{color}}/running && echo stop {{color}} {{version}} >> log"
                %s
                        health:
                          url: "http://{{host}}:{{port}}"
                          live-url: "http://{{host}}:%d"
                          paths: [/health, /health/db]
                          attempts: 3
                          interval: 200ms
                          timeout: 1s
                %s
                      staging:
                        hosts: [%s]
                        ssh: %s
                        commands:
                          deploy: "sh ./deploy.sh {{version}}"
                %s""".formatted(String.join(", ", hosts.hostList().subList(0, hostCount)), hosts.sshYaml(), ports[0],
                ports[1], setup.commands().indent(10), ports[2], setup.extras().indent(8), hosts.hostList().get(0),
                hosts.sshYaml(), setup.config());
        for (int i = 1; i <= spareHosts; i++) yaml = yaml.replace("SPARE_HOST_" + i, hosts.hostList().get(hostCount + i - 1));
        Path config = Files.writeString(dir.resolve("greenlight.yaml"), yaml);
        TestDatabase db = TestDatabase.create();
        Map<String, String> properties = new HashMap<>(Map.of("greenlight.color-stops.period", "200",
                "greenlight.approval.period", "200", "greenlight.promotion.poll", "100"));
        properties.putAll(setup.properties());
        TestGreenlight app = TestGreenlight.start(config, db, Map.of("TEST_TOKEN", TOKEN, "TOKEN_ALICE", ALICE,
                "TOKEN_BOB", BOB, "TOKEN_OUTSIDER", OUTSIDER), properties);
        return new BlueGreenFixture(hosts, db, app, ports, servers);
    }

    private interface ColorOf {
        String color(HttpExchange exchange);
    }

    private static HttpServer serve(String address, int port, Path hostDir, ColorOf colorOf) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 50);
        server.createContext("/", exchange -> {
            String color = colorOf.color(exchange);
            boolean running = color != null && Files.exists(hostDir.resolve(color).resolve("running"));
            String version = running ? read(hostDir.resolve(color).resolve("version")) : null;
            boolean healthy = version != null && !Files.exists(hostDir.resolve("unhealthy-" + version));
            String body;
            int status;
            if (exchange.getRequestURI().getPath().equals("/health/errors")) {
                String errors = version == null ? null : read(hostDir.resolve("errors-" + version));
                status = running ? 200 : 503;
                body = "{\"errors\":" + (errors == null ? "0" : errors) + "}";
            } else {
                status = healthy ? 200 : 503;
                body = "{\"color\":\"" + color + "\",\"version\":\"" + version + "\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return server;
    }

    /** Queues a deployment of production through the API (as {@link #TOKEN}) and returns its id. */
    public long deploy(String version) {
        return deploy(version, TOKEN);
    }

    /** Queues a deployment of production as {@code token} and returns its id. */
    public long deploy(String version, String token) {
        var r = app.postJson("/api/v1/deployments", token,
                "{\"app\":\"shop\",\"environment\":\"production\",\"version\":\"" + version + "\"}");
        if (r.statusCode() != 202) throw new AssertionError("deploy refused: " + r.statusCode() + " " + r.body());
        return json(r.body()).get("id").asLong();
    }

    /** {@code POST /api/v1/deployments/{id}/{action}} as {@code token}. */
    public HttpResponse<String> post(long id, String action, String token, String body) {
        return app.postJson("/api/v1/deployments/" + id + "/" + action, token, body);
    }

    public JsonNode deployment(long id) {
        return json(app.get("/api/v1/deployments/" + id, TOKEN).body());
    }

    public String status(long id) {
        return deployment(id).get("status").asText();
    }

    public JsonNode awaitEnd(long id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> TERMINAL.contains(status(id)));
        return deployment(id);
    }

    /** Waits until the deployment is {@code status}; one that ends otherwise fails at once. */
    public JsonNode awaitStatus(long id, String status) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> status(id).equals(status) || TERMINAL.contains(status(id)));
        JsonNode d = deployment(id);
        if (!d.get("status").asText().equals(status)) throw new AssertionError("expected " + status + ": " + d);
        return d;
    }

    /** Deploys {@code version} and expects it to succeed. */
    public long deployed(String version) {
        long id = deploy(version);
        JsonNode d = awaitEnd(id);
        if (!"succeeded".equals(d.get("status").asText())) throw new AssertionError("setup deployment failed: " + d);
        return id;
    }

    /** The deployment's row as stored. */
    public Map<String, Object> row(long id) {
        return Sql.rows(db, "select * from deployments where id = ?", id).get(0);
    }

    public Map<String, Object> environmentState() {
        return Sql.rows(db, "select * from environment_state where app = 'shop' and environment = 'production'").get(0);
    }

    /** The audit trail of the deployment as "actor action outcome", oldest first. */
    public List<String> audit(long id) {
        return Sql.rows(db, "select actor, action, outcome from audit_log where deployment_id = ? order by id", id)
                .stream().map(r -> r.get("actor") + " " + r.get("action") + " " + r.get("outcome")).toList();
    }

    /** The colour host {@code i} sends traffic to (null before its first switch). */
    public String live(int i) {
        return read(hosts.hostDir(i).resolve("live"));
    }

    public boolean running(int i, String color) {
        return Files.exists(hosts.hostDir(i).resolve(color).resolve("running"));
    }

    /** Every command host {@code i} ran, in order. */
    public List<String> log(int i) {
        String log = read(hosts.hostDir(i).resolve("log"));
        return log == null ? List.of() : List.of(log.split("\n"));
    }

    public void write(int i, String file, String content) {
        try {
            Files.writeString(hosts.hostDir(i).resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the host's live path answers now. */
    public String liveAnswer(int i) {
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://" + TestHosts.address(i) + ":" + livePort + "/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The steps of a deployment with {@code stage} (and on {@code host} when not null). */
    public static List<JsonNode> steps(JsonNode d, String stage, String host) {
        return StreamSupport.stream(d.get("steps").spliterator(), false)
                .filter(s -> s.get("stage").asText().equals(stage))
                .filter(s -> host == null || s.path("host").asText().startsWith(host))
                .toList();
    }

    public static List<String> stages(JsonNode d) {
        return StreamSupport.stream(d.get("steps").spliterator(), false).map(s -> s.get("stage").asText()).toList();
    }

    public static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        app.close();
        servers.forEach(s -> s.stop(0));
        hosts.close();
        db.close();
    }
}
