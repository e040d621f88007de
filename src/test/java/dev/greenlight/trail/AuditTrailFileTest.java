package dev.greenlight.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** audit.markdown-file after real deployments: kept up to date, and a file that cannot be written fails nothing. */
class AuditTrailFileTest {
    @TempDir
    Path dir;

    private static String row(Path file) throws IOException {
        return Files.readString(file).lines().filter(l -> l.contains("| shop | staging |")).findFirst().orElse("");
    }

    @Test
    void theFileIsWrittenAtStartAndRewrittenAfterEachFinishedDeployment() throws Exception {
        Path file = dir.resolve("AUDIT_TRAIL.md");
        try (RollingFixture f = RollingFixture.start(dir, 1, "", Map.of(), "", "audit:\n  markdown-file: " + file)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
            assertThat(Files.readString(file)).startsWith("# Audit trail\n").contains("0 rows");

            f.deployed("v1");
            await().atMost(Duration.ofSeconds(10)).until(() -> row(file).contains("| v1 | rolling | succeeded |"));
            assertThat(row(file)).contains("| ci | shop | staging | v1 |").contains("[#");

            f.deployed("v2");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(file).contains("| v2 | rolling | succeeded |"));
            assertThat(Files.readString(file)).contains("2 rows").contains("| v1 | rolling | succeeded |");
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file stays behind")
                        .noneMatch(name -> name.endsWith(".tmp"));
            }
        }
    }

    /**
     * Tests run as root, which may write any directory: the file's directory is made unusable by being a regular
     * file instead. Once it is a directory again, the next deployment's rewrite writes it.
     */
    @Test
    void aFileThatCannotBeWrittenWarnsAndTheDeploymentStillSucceeds() throws Exception {
        Path blocked = Files.writeString(dir.resolve("trail"), "a file where the directory should be");
        Path file = blocked.resolve("AUDIT_TRAIL.md");
        try (LogCapture logs = new LogCapture();
             RollingFixture f = RollingFixture.start(dir, 1, "", Map.of(), "", "audit:\n  markdown-file: " + file)) {
            f.deployed("v1");
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.text().lines()
                    .filter(l -> l.contains("WARN") && l.contains("audit.markdown-file: could not write " + file)).count() >= 2);

            Files.delete(blocked);
            Files.createDirectory(blocked);
            assertThat(f.awaitEnd(f.deploy("v2")).path("status").asText()).isEqualTo("succeeded");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && row(file).contains("| v2 |"));
        }
    }
}
