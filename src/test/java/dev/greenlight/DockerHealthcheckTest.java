package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's HEALTHCHECK, run exactly as Docker runs its exec form (the array as a process, no shell around
 * it), against a started service's management port; the image's {@code CAMEL_MANAGEMENT_PORT} names the port.
 */
class DockerHealthcheckTest {
    @TempDir
    Path dir;

    @Test
    void theHealthcheckPassesAgainstARunningServiceAndFailsWhereNothingAnswers() throws Exception {
        List<String> command = healthcheck();
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment())) {
            assertThat(run(command, app.managementPort())).as("exit code against the running service").isZero();
            assertThat(run(command, app.port())).as("the business port has no /observe/health").isNotZero();
        }
        assertThat(run(command, TestGreenlight.freePort())).as("exit code with nothing listening").isNotZero();
    }

    /** The exec-form array after {@code HEALTHCHECK ... CMD}. */
    private static List<String> healthcheck() throws Exception {
        String line = Files.readAllLines(Path.of("Dockerfile")).stream().filter(l -> l.startsWith("HEALTHCHECK "))
                .findFirst().orElseThrow(() -> new AssertionError("the Dockerfile has no HEALTHCHECK"));
        String json = line.substring(line.indexOf(" CMD ") + 5).strip();
        return new ObjectMapper().readValue(json, new TypeReference<List<String>>() { });
    }

    private static int run(List<String> command, int managementPort) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CAMEL_MANAGEMENT_PORT", String.valueOf(managementPort));
        Process p = pb.start();
        // Docker gives it --timeout=3s; the load on a shared machine gets more here
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the healthcheck did not finish: " + command);
        }
        return p.exitValue();
    }
}
