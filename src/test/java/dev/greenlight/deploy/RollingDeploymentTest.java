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

    static List<String> stages(JsonNode d) {
        List<String> out = new ArrayList<>();
        d.get("steps").forEach(s -> out.add(s.get("stage").asText()));
        return out;
    }
}
