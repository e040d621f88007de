package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollingDeploymentTest {
    @TempDir
    Path dir;

    @Test
    void fourHostsInBatchesOfTwoAllEndOnTheNewVersion() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 4, "batch: 2", Map.of())) {
            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            for (int i = 1; i <= 4; i++) {
                assertThat(f.hosts.version(i)).isEqualTo("2.0.0");
                assertThat(f.hosts.requests(i, "/health/db")).isGreaterThanOrEqualTo(1);
            }
            assertThat(stages(d)).contains("pre-check", "deploy", "health");
            assertThat(f.app.get("/api/v1/environments", RollingFixture.TOKEN).body()).contains("\"liveVersion\":\"2.0.0\"");
            // each host's commands went to its camel-ssh endpoint, host keys checked, exec mode
            assertThat(f.app.context().getEndpoints().stream()
                    .filter(e -> e instanceof dev.greenlight.ssh.PooledSshEndpoint)
                    .map(e -> (dev.greenlight.ssh.PooledSshEndpoint) e)
                    .peek(e -> assertThat(e.isFailOnUnknownHost()).isTrue())
                    .peek(e -> assertThat(e.getChannelType()).isEqualTo("exec"))
                    .map(e -> e.getHost()).distinct()) // a host has two: the pre-check's probe has a shorter bound
                    .containsExactlyInAnyOrder("127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14");
        }
    }

    @Test
    void aDeploymentSoonAfterTheLastReusesEachHostsSession() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.deployed("2.0.0");

            for (int i = 1; i <= 2; i++) {
                assertThat(f.hosts.version(i)).isEqualTo("2.0.0");
                assertThat(f.hosts.ssh(i).sessionsOpened()).as("host %d: one handshake for both deployments", i)
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void theHostsOfABatchAreUpdatedAtTheSameTime() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 4, "batch: 2", Map.of())) {
            // a barrier per batch: each host's deploy waits until its partner's deploy has started, so the batch
            // can only pass when both run at once (one after the other, the first gives up after 5 s)
            for (int i = 1; i <= 4; i++) {
                int partner = i % 2 == 1 ? i + 1 : i - 1;
                f.hosts.deployScript(i, "touch started\n"
                        + "n=0; until [ -f '" + f.hosts.hostDir(partner).resolve("started") + "' ]; do\n"
                        + "  n=$((n+1)); [ $n -gt 100 ] && exit 7; sleep 0.05\n"
                        + "done\n" + dev.greenlight.testing.TestHosts.DEFAULT_DEPLOY_SCRIPT);
            }

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            for (int i = 1; i <= 4; i++) assertThat(f.hosts.version(i)).isEqualTo("2.0.0");
        }
    }

    @Test
    void hooksRunAroundEachHostAndOncePerDeployment() throws Exception {
        String commands = """
                batch: 1
                """;
        try (RollingFixture f = RollingFixture.start(dir, 2, commands, Map.of(), """
                pre-deploy: "echo pre-{{version}} >> hooks"
                before-host: "echo before-{{version}}-{{host}} >> hooks"
                after-host: "echo after-{{version}}-{{host}} >> hooks"
                post-deploy: "echo post-{{version}} >> hooks"
                """)) {
            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            assertThat(java.nio.file.Files.readAllLines(f.hosts.hostDir(1).resolve("hooks"))).containsExactly(
                    "pre-2.0.0", "before-2.0.0-127.0.0.11", "after-2.0.0-127.0.0.11", "post-2.0.0");
            assertThat(java.nio.file.Files.readAllLines(f.hosts.hostDir(2).resolve("hooks"))).containsExactly(
                    "before-2.0.0-127.0.0.12", "after-2.0.0-127.0.0.12");
            assertThat(stages(d)).containsSubsequence("pre-check", "pre-deploy", "before-host", "deploy", "health",
                    "after-host", "post-deploy");
        }
    }

    @Test
    void failingHookFailsItsStepAndAfterHostRunsDuringRollback() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of(), """
                before-host: "test ! -f block-{{version}}"
                after-host: "echo after-{{version}} >> hooks"
                """)) {
            f.deployed("1.0.0");
            java.nio.file.Files.writeString(f.hosts.hostDir(2).resolve("block-2.0.0"), "");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).startsWith("before-host on 127.0.0.12");
            assertThat(java.nio.file.Files.readAllLines(f.hosts.hostDir(1).resolve("hooks")))
                    .containsExactly("after-1.0.0", "after-2.0.0", "after-1.0.0");
            assertThat(java.nio.file.Files.readAllLines(f.hosts.hostDir(2).resolve("hooks")))
                    .containsExactly("after-1.0.0", "after-1.0.0");
            assertThat(f.hosts.version(2)).isEqualTo("1.0.0");
        }
    }

    @Test
    void buildPushesTheImageAndTheRegistryCheckConfirmsTheTagBeforeAnyHostChanges() throws Exception {
        Path tags = java.nio.file.Files.createDirectories(dir.resolve("registry-tags"));
        com.sun.net.httpserver.HttpServer registry = fakeRegistry(tags);
        try {
            String image = "127.0.0.1:" + registry.getAddress().getPort() + "/acme/shop";
            try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 2\nbuild-host: " + "BUILD_HOST", Map.of(),
                    "build: \"touch " + tags + "/{{version}}\"", "", image)) {
                JsonNode built = f.awaitEnd(f.deploy("3.0.0"));
                assertThat(built.get("status").asText()).as(built.toString()).isEqualTo("succeeded");
                assertThat(stages(built)).containsSubsequence("pre-check", "build", "registry", "deploy");
                assertThat(tags.resolve("3.0.0")).exists();
            }
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void aTagMissingFromTheRegistryFailsTheDeploymentBeforeAnythingChanges() throws Exception {
        Path tags = java.nio.file.Files.createDirectories(dir.resolve("registry-tags"));
        com.sun.net.httpserver.HttpServer registry = fakeRegistry(tags);
        try {
            String image = "127.0.0.1:" + registry.getAddress().getPort() + "/acme/shop";
            try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 2", Map.of(), "", "", image)) {
                JsonNode d = f.awaitEnd(f.deploy("4.0.0"));

                assertThat(d.get("status").asText()).isEqualTo("failed");
                assertThat(d.get("detail").asText()).contains("is not in the registry").contains("nothing was changed");
                assertThat(f.hosts.history(1)).isEmpty();
                assertThat(f.hosts.history(2)).isEmpty();
            }
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void containerLevelHealthCommandMustPassBeforeTheHttpChecks() throws Exception {
        String health = "batch: 1";
        try (RollingFixture f = RollingFixture.start(dir, 2, health, Map.of(), "", "", null,
                "test -f container-{{version}}-healthy")) {
            java.nio.file.Files.writeString(f.hosts.hostDir(1).resolve("container-1.0.0-healthy"), "");
            java.nio.file.Files.writeString(f.hosts.hostDir(2).resolve("container-1.0.0-healthy"), "");
            f.deployed("1.0.0");
            java.nio.file.Files.writeString(f.hosts.hostDir(1).resolve("container-2.0.0-healthy"), "");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).contains("127.0.0.12").contains("container check exited 1");
            // one HTTP check for 1.0.0 and one after the rollback: none while the 2.0.0 container was unhealthy
            assertThat(f.hosts.requests(2, "/health")).as("HTTP checks wait for the container").isEqualTo(2);
            assertThat(f.hosts.version(2)).isEqualTo("1.0.0");
        }
    }

    /** A registry answering HEAD /v2/acme/shop/manifests/<tag> with 200 when a file <tag> exists in {@code tags}. */
    static com.sun.net.httpserver.HttpServer fakeRegistry(Path tags) throws java.io.IOException {
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 10);
        server.createContext("/v2/acme/shop/manifests/", exchange -> {
            String tag = exchange.getRequestURI().getPath().substring("/v2/acme/shop/manifests/".length());
            boolean known = exchange.getRequestMethod().equals("HEAD") && java.nio.file.Files.exists(tags.resolve(tag));
            exchange.sendResponseHeaders(known ? 200 : 404, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    static List<String> stages(JsonNode d) {
        List<String> out = new ArrayList<>();
        d.get("steps").forEach(s -> out.add(s.get("stage").asText()));
        return out;
    }
}
