package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.Sql;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosts' disk and memory checks at the pre-check. The simulated hosts run their commands on this machine, so the
 * limits are set from this machine's own figures: one it passes, one it fails.
 */
class HostResourceChecksTest {
    private static final String DF = "LC_ALL=C df -P -k -- '/'";
    private static final String CHANNEL = """
            notifications:
              team: { type: webhook, url-env: HOST_CHECK_TEST_UNSET_URL }
            """;

    @TempDir
    Path dir;

    /** This machine's figures, read the way the hosts read them. */
    private static HostReading local() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", DF + " && cat /proc/meminfo").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        HostReading reading = HostReading.parse(out);
        assertThat(reading.disk()).isPresent();
        assertThat(reading.memory()).isPresent();
        return reading;
    }

    private RollingFixture start(int hosts, String checks) throws IOException {
        return RollingFixture.start(dir, hosts, "notify: [team]\nchecks: " + checks, Map.of(), "", CHANNEL);
    }

    private static List<JsonNode> steps(JsonNode d, String stage) {
        return RollbackTest.steps(d, stage, null);
    }

    @Test
    void hostsWithinTheLimitsDeployAndTheirFiguresAreRecorded() throws Exception {
        try (RollingFixture f = start(2, "{ disk: { path: /, max-used: 99% }, memory: { min-available: 1MB } }")) {
            JsonNode d = f.awaitEnd(f.deploy("v1"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            assertThat(f.hosts.ssh(1).commands()).containsExactly("true", DF + " && cat /proc/meminfo",
                    "sh ./deploy.sh 'v1'");
            assertThat(steps(d, "host-check")).hasSize(2)
                    .allSatisfy(s -> assertThat(s.get("output").asText()).contains("Capacity").contains("MemAvailable:"));
            List<JsonNode> verdicts = steps(d, "host-resources");
            assertThat(verdicts).hasSize(2).allSatisfy(s -> {
                assertThat(s.get("status").asText()).isEqualTo("succeeded");
                assertThat(s.get("detail").asText()).matches("disk / is \\d+% used \\(max 99%, [\\d.]+ [KMGT]iB free\\), "
                        + "memory [\\d.]+ [KMGT]iB available \\(min 1\\.0 MiB\\)");
            });
            assertThat(Sql.count(f.db, "select count(*) from notifications where event = 'host-check-failed'")).isZero();
        }
    }

    @Test
    void aFullDiskFailsThePreCheckNamingEveryHostAndTheFigureAndRaisesTheAlert() throws Exception {
        int used = local().diskUsedPercent();
        org.junit.jupiter.api.Assumptions.assumeTrue(used >= 2, "this machine's disk is nearly empty");
        int max = used - 1;
        try (RollingFixture f = start(2, "{ disk: { path: /, max-used: " + max + "% } }")) {
            JsonNode d = f.awaitEnd(f.deploy("v1"));

            assertThat(d.get("status").asText()).isEqualTo("failed");
            String reason = d.get("detail").asText();
            for (String host : f.hosts.hostList()) {
                assertThat(reason).contains(host + ": disk / is ").contains("% used (max " + max + "%");
            }
            assertThat(f.hosts.ssh(1).commands()).as("nothing was deployed").containsExactly("true", DF);
            assertThat(f.hosts.version(1)).isNotEqualTo("v1");
            assertThat(steps(d, "host-resources")).hasSize(2)
                    .allSatisfy(s -> assertThat(s.get("status").asText()).isEqualTo("failed"));

            List<Map<String, Object>> alerts = Sql.rows(f.db,
                    "select channel, severity, document from notifications where event = 'host-check-failed' order by id");
            assertThat(alerts).hasSize(2);
            for (Map<String, Object> alert : alerts) {
                assertThat(alert.get("channel")).isEqualTo("team");
                assertThat(alert.get("severity")).isEqualTo("warning");
                JsonNode doc = RollingFixture.json((String) alert.get("document"));
                assertThat(doc.get("title").asText()).isEqualTo("shop/staging: host check failed deploying v1");
                assertThat(doc.get("reason").asText()).matches("127\\.0\\.0\\.\\d+:\\d+: disk / is \\d+% used \\(max "
                        + max + "%, .*\\)");
            }
        }
    }

    @Test
    void tooLittleMemoryFailsThePreCheckWithTheFigure() throws Exception {
        try (RollingFixture f = start(1, "{ memory: { min-available: 64TB } }")) {
            JsonNode d = f.awaitEnd(f.deploy("v1"));

            assertThat(d.get("status").asText()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).contains(f.hosts.hostList().get(0) + ": memory ")
                    .contains(" available (min 64.0 TiB)");
            assertThat(f.hosts.ssh(1).commands()).containsExactly("true", "cat /proc/meminfo");
            assertThat(Sql.count(f.db, "select count(*) from notifications where event = 'host-check-failed'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aPathThatIsNotThereFailsClosed() throws Exception {
        try (RollingFixture f = start(1, "{ disk: { path: /no/such/dir, max-used: 99% } }")) {
            JsonNode d = f.awaitEnd(f.deploy("v1"));

            assertThat(d.get("status").asText()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).contains("host-check on " + f.hosts.hostList().get(0))
                    .contains("exited with status");
            assertThat(f.hosts.ssh(1).commands()).doesNotContain("sh ./deploy.sh 'v1'");
        }
    }

    @Test
    void figuresAreReadFromDfAndMeminfo() {
        HostReading r = HostReading.parse("""
                Filesystem     1024-blocks     Used Available Capacity Mounted on
                my disk (x)      264212084 24725556  81665356      24% /srv/data
                MemTotal:       24000000 kB
                MemAvailable:   21185256 kB
                """);
        assertThat(r).isEqualTo(new HostReading(24, 81665356L * 1024, 21185256L * 1024));
        assertThat(HostReading.parse("garbage")).isEqualTo(new HostReading(null, null, null));
    }

    @Test
    void aFigureTheHostDidNotPrintFails() {
        var checks = new dev.greenlight.config.HostChecks(new dev.greenlight.config.HostChecks.Disk("/", 90),
                new dev.greenlight.config.HostChecks.Memory(1024));
        List<String> failures = new java.util.ArrayList<>();

        String said = HostResources.figures(checks, new HostReading(null, null, null), failures);

        assertThat(failures).containsExactly("disk /: df printed no usage figure",
                "memory: /proc/meminfo has no MemAvailable figure");
        assertThat(said).isEqualTo(String.join(", ", failures));
    }
}
