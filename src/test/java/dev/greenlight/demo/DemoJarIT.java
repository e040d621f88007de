package dev.greenlight.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.DemoWalkthrough;
import dev.greenlight.testing.TestGreenlight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, from the jar its {@code mvn package} builds (run by {@code mvn verify} after the
 * package phase): {@code java -Xmx256m -jar target/greenlight.jar} in a directory with no configuration reaches the
 * demo's welcome, and the curl commands it prints work as printed. Only the ports differ from the README's (free
 * ones, from the environment, as tests never listen on the default ports).
 */
class DemoJarIT {
    @TempDir
    Path dir;

    @Test
    void theReadmesFirstCommandReachesReadyAndItsPrintedCurlCommandsWork() throws Exception {
        Path jar = Path.of("target", "greenlight.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        int port = TestGreenlight.freePort();
        Map<String, String> env = Map.of("CAMEL_SERVER_PORT", String.valueOf(port),
                "CAMEL_MANAGEMENT_PORT", String.valueOf(TestGreenlight.freePort()));
        DemoWalkthrough.Welcome welcome;
        try (ChildGreenlight app = ChildGreenlight.startJar(jar, dir, env)) {
            welcome = DemoWalkthrough.awaitWelcome(app, Duration.ofSeconds(150));
            assertThat(welcome.heading()).startsWith("Greenlight demo is ready");
            assertThat(welcome.baseUrl()).isEqualTo("http://127.0.0.1:" + port);
            DemoWalkthrough.releaseThenBrokenRelease(welcome);
        }
        assertThat(welcome.demoFiles()).as("removed when the demo stops").doesNotExist();
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("the working directory gets nothing but the test's captured output")
                    .allMatch(name -> name.startsWith("stdout") || name.startsWith("stderr"));
        }
    }
}
