package dev.greenlight.examples;

import static dev.greenlight.examples.ProxiedBlueGreen.stages;
import static dev.greenlight.examples.ProxiedBlueGreen.steps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greenlight's blue-green pipeline with the shipped {@code examples/haproxy/greenlight-switch} as its switch, run
 * over SSH on the host, against a real HAProxy with the shipped configuration in front of the host's two colours
 * ({@link ProxiedBlueGreen}); health after the switch and the watch go through HAProxy.
 */
class BlueGreenThroughHaproxyTest {
    @TempDir
    Path dir;

    private ProxiedBlueGreen bg;
    private Haproxy haproxy;
    private ProxiedBlueGreen.Client client;

    @BeforeEach
    void start() throws Exception {
        bg = ProxiedBlueGreen.hosts(dir);
        haproxy = Haproxy.start(Files.createDirectories(dir.resolve("haproxy")), bg.colours.blue.hostPort(),
                bg.colours.green.hostPort());
        bg.start("haproxy", haproxy.switchEnvironment(), haproxy.port);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) client.close();
        if (bg != null) bg.close();
        if (haproxy != null) haproxy.close();
    }

    @Test
    void aReleaseMovesTrafficThroughHaproxyToTheNewColour() throws Exception {
        bg.release("1.0.0");
        assertThat(bg.colours.answers(haproxy.port, 10)).containsOnly("200 blue 1.0.0");
        long pid = haproxy.pid();
        client = bg.client(haproxy.port);

        JsonNode d = bg.awaitEnd(bg.deploy("2.0.0"));

        List<String> seen = client.stop();
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
        assertThat(bg.colours.answers(haproxy.port, 20)).containsOnly("200 green 2.0.0");
        assertThat(haproxy.servers()).containsEntry("green", "ready").containsEntry("blue", "maint");
        assertThat(haproxy.pid()).as("switched without a reload").isEqualTo(pid);
        assertThat(steps(d, "switch")).singleElement().satisfies(s -> {
            assertThat(s.get("status").asText()).isEqualTo("succeeded");
            assertThat(s.get("output").asText()).contains("app now sends traffic to green (127.0.0.1:"
                    + Colours.port(bg.colours.green) + ")");
        });
        assertThat(seen).as("every request through HAProxy during the release").isNotEmpty()
                .allMatch(a -> a.equals("200 blue 1.0.0") || a.equals("200 green 2.0.0"))
                .contains("200 blue 1.0.0").endsWith("200 green 2.0.0");
        // keep-previous: the old colour still runs, out of traffic, for an instant rollback
        assertThat(bg.running("blue")).isTrue();
        assertThat(bg.colours.green.requests()).as("the watch read the new colour's errors through HAProxy")
                .contains("GET /health/errors");
    }

    @Test
    void errorsRisingOnTheNewColourPutTrafficBackThroughHaproxyOnTheOldOne() throws Exception {
        bg.release("1.0.0");
        bg.bad("2.0.0");
        client = bg.client(haproxy.port);

        JsonNode d = bg.awaitEnd(bg.deploy("2.0.0"));

        List<String> seen = client.stop();
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
        assertThat(d.get("detail").asText()).startsWith("watch: ").contains("/health/errors said errors=");
        assertThat(bg.colours.answers(haproxy.port, 20)).containsOnly("200 blue 1.0.0");
        assertThat(haproxy.servers()).containsEntry("blue", "ready").containsEntry("green", "maint");
        assertThat(bg.running("green")).as("the bad colour stopped").isFalse();
        assertThat(bg.colours.green.requests()).as("the watch read the bad colour's errors through HAProxy")
                .contains("GET /health/errors");
        assertThat(stages(d)).containsSubsequence("switch", "watch", "rollback-switch", "rollback-stop",
                "rollback-health");
        assertThat(steps(d, "watch")).anyMatch(s -> s.get("status").asText().equals("failed"));
        assertThat(steps(d, "rollback-switch")).singleElement().satisfies(s -> {
            assertThat(s.get("status").asText()).isEqualTo("succeeded");
            assertThat(s.get("output").asText()).contains("app now sends traffic to blue (127.0.0.1:"
                    + Colours.port(bg.colours.blue) + ")");
        });
        assertThat(steps(d, "rollback-health")).singleElement()
                .satisfies(s -> assertThat(s.get("status").asText()).isEqualTo("succeeded"));
        assertThat(seen).as("every request through HAProxy, the bad version's and the rollback's included")
                .isNotEmpty().allMatch(a -> a.equals("200 blue 1.0.0") || a.equals("200 green 2.0.0"))
                .contains("200 green 2.0.0").endsWith("200 blue 1.0.0");
    }
}
