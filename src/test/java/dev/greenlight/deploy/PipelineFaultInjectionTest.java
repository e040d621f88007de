package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures injected at stable step ids of the real routes (AdviceWith): wherever the rolling pipeline fails, the
 * dead-letter channel decides by what was changed, not by where it happened.
 */
class PipelineFaultInjectionTest {
    @TempDir
    Path dir;

    @Test
    void failureAfterEveryHostChangedRollsBackEveryHost() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            inject(f, "post-deploy");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).startsWith("injected at post-deploy");
            assertThat(f.hosts.history(1)).containsExactly("1.0.0", "2.0.0", "1.0.0");
            assertThat(f.hosts.history(2)).containsExactly("1.0.0", "2.0.0", "1.0.0");
        }
    }

    @Test
    void failureBeforeAnyHostChangedFailsWithNothingToUndo() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            inject(f, "registry-check");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).isEqualTo("injected at registry-check; nothing was changed");
            assertThat(f.hosts.history(1)).containsExactly("1.0.0");
            assertThat(f.hosts.history(2)).containsExactly("1.0.0");
        }
    }

    private static void inject(RollingFixture f, String stepId) throws Exception {
        AdviceWith.adviceWith(f.app.context(), "pipeline-rolling", a -> a.weaveById(stepId).replace()
                .throwException(new StepFailedException("injected at " + stepId)));
    }
}
