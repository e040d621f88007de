package dev.greenlight.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.DeploymentsApi;
import dev.greenlight.testing.OpenSshHosts;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
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
                          deploy: "cd %s/{{host}} && whoami > whoami && echo {{version}} > version.new && mv version.new version && echo deploy {{version}} >> log"
                        health:
                          url: "http://127.0.0.1:%d/hosts/{{host}}"
                          paths: [/health]
                          attempts: 2
                          interval: 200ms
                          timeout: 2s
                """.formatted(String.join(", ", hosts.hostList()), hosts.sshYaml(), hosts.commandDir(),
                Integer.parseInt(health.hostPort().replaceAll(".*:", "")));
        Path config = Files.writeString(dir.resolve("greenlight.yaml"), yaml);
        db = TestDatabase.create();
        app = TestGreenlight.start(config, db, Map.of("TEST_TOKEN", TOKEN));
        api = new DeploymentsApi(app, TOKEN, "shop", "staging");
    }

    @AfterEach
    void stop() throws Exception {
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
