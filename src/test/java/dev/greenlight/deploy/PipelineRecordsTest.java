package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.ssh.HandshakeMeter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Step records say when the work started and what was called: connection included, HTTP calls included. */
class PipelineRecordsTest {
    @TempDir
    Path dir;

    @Test
    void thePreCheckStepStartsBeforeTheSshHandshake() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of(), "", "", null, null,
                b -> b.authenticationDelay(Duration.ofMillis(800)), "", Map.of())) {
            JsonNode d = f.awaitEnd(f.deploy("1.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            JsonNode probe = RollbackTest.steps(d, "pre-check", "127.0.0.11").get(0);
            assertThat(duration(probe)).as("the login took 800 ms and is part of the step")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(800));
            assertThat(Instant.parse(probe.get("startedAt").asText()))
                    .isAfterOrEqualTo(Instant.parse(d.get("startedAt").asText()));
        }
    }

    @Test
    void aHealthStepLastsAsLongAsItsHttpCalls() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of())) {
            Files.writeString(f.hosts.hostDir(1).resolve("delay_health_db"), "500");

            JsonNode d = f.awaitEnd(f.deploy("1.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            JsonNode health = RollbackTest.steps(d, "health", "127.0.0.11").get(0);
            assertThat(duration(health)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void aSmokeStepIsLabelledWithTheAddressItCalled() throws Exception {
        String smoke = "batch: 1\nsmoke:\n  - { name: home, path: /smoke }";
        try (RollingFixture f = RollingFixture.start(dir, 1, smoke, Map.of())) {
            JsonNode d = f.awaitEnd(f.deploy("1.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            JsonNode step = RollbackTest.steps(d, "smoke", null).get(0);
            String called = "127.0.0.11:" + f.hosts.httpPort();
            assertThat(step.get("host").asText()).isEqualTo(called);
            assertThat(step.get("detail").asText()).contains("GET http://" + called + "/smoke");
        }
    }

    static Duration duration(JsonNode step) {
        return Duration.between(Instant.parse(step.get("startedAt").asText()), Instant.parse(step.get("finishedAt").asText()));
    }

    static UnaryOperator<dev.greenlight.ssh.EmbeddedSshServer.Builder> metered(HandshakeMeter meter, Duration login) {
        return b -> b.handshakes(meter).authenticationDelay(login);
    }
}
