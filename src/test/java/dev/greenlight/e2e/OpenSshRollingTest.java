package dev.greenlight.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.DeploymentsApi;
import dev.greenlight.testing.OpenSshHosts;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rolling pipeline against a real OpenSSH server ({@link OpenSshHosts}: Debian's sshd on loopback addresses, an
 * unprivileged login account, ed25519 host and user keys): four hosts in batches of two, a bad version rolled back,
 * a host whose key changed refused before anything moves. The deploy command writes the version into the host's
 * directory as the login account; each host's health answers from that file (a real HTTP server).
 */
class OpenSshRollingTest {
    private static final String TOKEN = "e2e-token-5b8c1d";

    @TempDir
    Path dir;
    private OpenSshHosts hosts;
    private TestHttpServer health;
    private TestDatabase db;
    private TestGreenlight app;
    private DeploymentsApi api;
    private Path config;
    private ChildGreenlight child;

    @BeforeEach
    void start() throws Exception {
        hosts = OpenSshHosts.start(dir.resolve("e2e"), 4);
        health = new TestHttpServer();
        for (int i = 1; i <= 4; i++) {
            Path host = hosts.hostDir(i);
            health.on("/hosts/" + OpenSshHosts.address(i) + "/health", exchange -> {
                String version = read(host.resolve("version"));
                boolean healthy = version != null && !Files.exists(host.resolve("unhealthy-" + version));
                TestHttpServer.respond(exchange, healthy ? 200 : 503, "{\"version\":\"" + version + "\"}");
            });
        }
        String yaml = """
                access:
                  - name: ci
                    token-env: TEST_TOKEN
                    environments: [staging]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [%s]
                        batch: 2
                        ssh: %s
                        commands:
                          deploy: "cd %s/{{host}} && { test ! -e hold-{{version}} || { echo {{version}} > version; touch held; while test -e hold-{{version}}; do sleep 0.1; done; exit 1; }; } && whoami > whoami && echo {{version}} > version.new && mv version.new version && echo deploy {{version}} >> log"
                        health:
                          url: "http://127.0.0.1:%d/hosts/{{host}}"
                          paths: [/health]
                          attempts: 2
                          interval: 200ms
                          timeout: 2s
                """.formatted(String.join(", ", hosts.hostList()), hosts.sshYaml(), hosts.commandDir(),
                Integer.parseInt(health.hostPort().replaceAll(".*:", "")));
        config = Files.writeString(dir.resolve("greenlight.yaml"), yaml);
        db = TestDatabase.create();
        app = TestGreenlight.start(config, db, Map.of("TEST_TOKEN", TOKEN));
        api = new DeploymentsApi(app, TOKEN, "shop", "staging");
    }

    @AfterEach
    void stop() throws Exception {
        if (child != null) child.close();
        if (hosts != null) Files.deleteIfExists(hosts.hostDir(3).resolve("hold-2.0.0"));
        if (app != null) app.close();
        if (health != null) health.close();
        if (hosts != null) hosts.close();
    }

    @Test
    void fourHostsAreUpdatedTwoAtATimeOverOpenSshAsThePlainAccount() throws Exception {
        JsonNode d = awaitEnd(api.deploy("1.0.0"));

        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
        for (int i = 1; i <= 4; i++) {
            assertThat(read(hosts.hostDir(i).resolve("version"))).as("host " + i).isEqualTo("1.0.0");
            assertThat(read(hosts.hostDir(i).resolve("whoami"))).isEqualTo(OpenSshHosts.ACCOUNT);
        }
        List<JsonNode> deploys = DeploymentsApi.steps(d, "deploy");
        assertThat(deploys).hasSize(4);
        // the second batch starts only once the first batch's hosts are healthy
        Instant firstBatchHealthy = DeploymentsApi.steps(d, "health").stream().filter(s -> inFirstBatch(s)).map(s -> at(s, "finishedAt"))
                .max(Instant::compareTo).orElseThrow();
        Instant secondBatchStarts = deploys.stream().filter(s -> !inFirstBatch(s)).map(s -> at(s, "startedAt"))
                .min(Instant::compareTo).orElseThrow();
        assertThat(secondBatchStarts).isAfterOrEqualTo(firstBatchHealthy);
    }

    @Test
    void aVersionUnhealthyOnOneHostIsRolledBackOnEveryHostItTouched() throws Exception {
        deployed("1.0.0");
        Files.writeString(hosts.hostDir(3).resolve("unhealthy-2.0.0"), "");

        JsonNode d = awaitEnd(api.deploy("2.0.0"));

        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
        for (int i = 1; i <= 4; i++) assertThat(read(hosts.hostDir(i).resolve("version"))).as("host " + i).isEqualTo("1.0.0");
        assertThat(Files.readAllLines(hosts.hostDir(4).resolve("log"))).as("host 4, in the batch of the failure")
                .contains("deploy 1.0.0");
    }

    @Test
    void aHostWhoseKeyChangedIsRefusedBeforeAnythingMoves() throws Exception {
        deployed("1.0.0");
        hosts.changeHostKey();

        JsonNode d = awaitEnd(api.deploy("2.0.0"));

        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("failed");
        assertThat(d.toString()).containsIgnoringCase("host key");
        assertThat(DeploymentsApi.steps(d, "deploy")).isEmpty();
        for (int i = 1; i <= 4; i++) {
            assertThat(read(hosts.hostDir(i).resolve("version"))).isEqualTo("1.0.0");
            assertThat(Files.readAllLines(hosts.hostDir(i).resolve("log"))).containsExactly("deploy 1.0.0");
        }
    }

    /**
     * Another Greenlight process on the same database runs 2.0.0 and is killed with SIGKILL while host 3 (the second
     * batch) is half-way through its deploy; this one, started again, recovers it once the dead one's lease (3 s)
     * has lapsed: all four hosts back on 1.0.0.
     */
    @Test
    void aKillMinus9MidDeploymentIsRecoveredByTheNextStart() throws Exception {
        Assumptions.assumeTrue("postgresql".equals(db.kind()), "two processes share a database on PostgreSQL only");
        deployed("1.0.0");
        app.close();
        app = null;
        Files.writeString(hosts.hostDir(3).resolve("hold-2.0.0"), "");
        int port = TestGreenlight.freePort();
        int managementPort = TestGreenlight.freePort();
        child = ChildGreenlight.start(dir, Map.of("TEST_TOKEN", TOKEN), List.of("-Dcamel.server.host=127.0.0.1",
                "-Dcamel.server.port=" + port, "-Dcamel.management.host=127.0.0.1",
                "-Dcamel.management.port=" + managementPort, "-Dgreenlight.config=" + config,
                "-Dgreenlight.lease.ttl=3s", "-Dgreenlight.db.url=" + db.url(), "-Dgreenlight.db.user=" + db.user(),
                "-Dgreenlight.db.schema=" + db.schema()));
        child.awaitHealthy(managementPort);
        HttpResponse<String> queued = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/deployments")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"app\":\"shop\",\"environment\":\"staging\",\"version\":\"2.0.0\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
        long id = Json.MAPPER.readTree(queued.body()).get("id").asLong();
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(hosts.hostDir(3).resolve("held")));
        child.kill();

        app = TestGreenlight.start(config, db, Map.of("TEST_TOKEN", TOKEN));
        api = new DeploymentsApi(app, TOKEN, "shop", "staging");
        JsonNode d = awaitEnd(id);
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
        assertThat(d.get("detail").asText()).startsWith("recovered after an interruption");
        for (int i = 1; i <= 4; i++) assertThat(read(hosts.hostDir(i).resolve("version"))).as("host " + i).isEqualTo("1.0.0");
        assertThat(DeploymentsApi.steps(d, "recovery")).hasSize(4);
    }

    private void deployed(String version) throws IOException {
        JsonNode d = awaitEnd(api.deploy(version));
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
    }

    private boolean inFirstBatch(JsonNode step) {
        String host = step.get("host").asText();
        return host.startsWith(OpenSshHosts.address(1) + ":") || host.startsWith(OpenSshHosts.address(2) + ":");
    }

    private static Instant at(JsonNode step, String field) {
        return Instant.parse(step.get(field).asText());
    }

    private JsonNode awaitEnd(long id) {
        return api.awaitEnd(id, Duration.ofSeconds(90));
    }


    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
