package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An environment's {@code checks:} block: its values, and a key path for every mistake. */
class HostChecksConfigTest {
    private static final String AT = "apps.shop.environments.staging.checks";

    @TempDir
    Path dir;

    private Path file(String checks) throws IOException {
        return Files.writeString(dir.resolve("greenlight.yaml"), """
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                        ssh: { user: deploy, key-file: /keys/k, known-hosts: /keys/kh }
                        commands: { deploy: "x" }
                """ + (checks == null ? "" : "        checks: " + checks + "\n"));
    }

    private HostChecks checks(String yaml) throws IOException {
        return ConfigLoader.load(file(yaml)).apps().get("shop").environments().get("staging").checks();
    }

    private void refused(String yaml, String message) throws IOException {
        Path f = file(yaml);
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ": " + AT + message);
    }

    @Test
    void noChecksUnlessConfigured() throws IOException {
        assertThat(checks(null)).isNull();
    }

    @Test
    void diskAndMemoryLoad() throws IOException {
        assertThat(checks("{ disk: { path: /var/lib/docker, max-used: 90% }, memory: { min-available: 256MB } }"))
                .isEqualTo(new HostChecks(new HostChecks.Disk("/var/lib/docker", 90),
                        new HostChecks.Memory(256L * 1024 * 1024)));
        assertThat(checks("{ disk: { max-used: 80% } }")).isEqualTo(new HostChecks(new HostChecks.Disk("/", 80), null));
        assertThat(checks("{ memory: { min-available: 2GiB } }").memory().minAvailableBytes()).isEqualTo(2L << 30);
    }

    @Test
    void sizesCountIn1024s() {
        assertThat(HostChecks.parseSize("512K")).contains(512L * 1024);
        assertThat(HostChecks.parseSize("1 TB")).contains(1L << 40);
        assertThat(HostChecks.parseSize("100")).isEmpty();
        assertThat(HostChecks.parseSize("0MB")).isEmpty();
        assertThat(HostChecks.parseSize("999999999999TB")).as("overflows").isEmpty();
        assertThat(HostChecks.formatSize(268435456)).isEqualTo("256.0 MiB");
        assertThat(HostChecks.formatSize(1000)).isEqualTo("1000 B");
    }

    @Test
    void mistakesAreRefusedWithTheirKeyPath() throws IOException {
        refused("{}", ": is empty: configure disk and/or memory, or leave checks out");
        refused("{ cpu: 1 }", ".cpu: unknown key (expected one of: disk, memory)");
        refused("{ disk: { path: / } }", ".disk.max-used: is required, for example 90%");
        refused("{ disk: { max-used: 90 } }", ".disk.max-used: \"90\" is not a percentage from 1% to 99%");
        refused("{ disk: { max-used: 100% } }", ".disk.max-used: \"100%\" is not a percentage from 1% to 99%");
        refused("{ disk: { path: \"/x; rm -rf /\", max-used: 90% } }",
                ".disk.path: \"/x; rm -rf /\" is not an absolute path of letters, digits and ._/@+-");
        refused("{ disk: { path: var, max-used: 90% } }",
                ".disk.path: \"var\" is not an absolute path of letters, digits and ._/@+-");
        refused("{ memory: {} }", ".memory.min-available: is required, for example 256MB");
        refused("{ memory: { min-available: lots } }", ".memory.min-available: \"lots\" is not a size (examples: "
                + "256MB, 1GB, 512MiB; the units count in 1024s)");
        refused("{ memory: { min-available: 1MB, max: 2 } }",
                ".memory.max: unknown key (expected one of: min-available)");
    }
}
