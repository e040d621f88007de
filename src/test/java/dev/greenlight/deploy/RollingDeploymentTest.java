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

    static List<String> stages(JsonNode d) {
        List<String> out = new ArrayList<>();
        d.get("steps").forEach(s -> out.add(s.get("stage").asText()));
        return out;
    }
}
