package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code audit:} block of greenlight.yaml. */
class AuditConfigTest {
    private static final String APPS = """
            apps:
              shop:
                repository: acme/shop
                environments:
                  staging:
                    hosts: [a]
                    ssh: { user: deploy, key-file: k, known-hosts: h }
                    commands: { deploy: "x" }
            """;

    @TempDir
    Path dir;

    private Path file(String audit) throws IOException {
        return Files.writeString(dir.resolve("greenlight.yaml"), APPS + audit);
    }

    private void refused(String audit, String message) throws IOException {
        Path f = file(audit);
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ": " + message);
    }

    @Test
    void withoutTheBlockNoFileIsKept() throws IOException {
        assertThat(ConfigLoader.load(file("")).audit()).isEqualTo(AuditSettings.NONE);
        assertThat(AuditSettings.NONE.markdownFile()).isEmpty();
    }

    @Test
    void theMarkdownFileIsAPath() throws IOException {
        assertThat(ConfigLoader.load(file("audit:\n  markdown-file: " + dir.resolve("AUDIT_TRAIL.md") + "\n")).audit())
                .isEqualTo(new AuditSettings(Optional.of(dir.resolve("AUDIT_TRAIL.md"))));
        assertThat(ConfigLoader.load(file("audit: { markdown-file: docs/AUDIT_TRAIL.md }\n")).audit().markdownFile())
                .hasValue(Path.of("docs/AUDIT_TRAIL.md"));
    }

    @Test
    void mistakesAreRefusedWithTheirKeyPath() throws IOException {
        refused("audit:\n  markdown-fiel: x.md\n",
                "audit.markdown-fiel: unknown key (expected one of: markdown-file)");
        refused("audit: {}\n", "audit.markdown-file: is required");
        refused("audit:\n  markdown-file: \"\"\n", "audit.markdown-file: must not be empty");
        refused("audit:\n  markdown-file: [a, b]\n", "audit.markdown-file: must be a single value, got a list");
        refused("audit: AUDIT_TRAIL.md\n", "audit: must be a mapping, got \"AUDIT_TRAIL.md\"");
        refused("audit:\n  markdown-file: " + dir + "\n",
                "audit.markdown-file: \"" + dir + "\" is a directory: name the file to keep the trail in");
    }
}
