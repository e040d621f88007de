package dev.greenlight.examples;

import static dev.greenlight.examples.ProxiedBlueGreen.stages;
import static dev.greenlight.examples.ProxiedBlueGreen.steps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greenlight's blue-green pipeline with the shipped {@code examples/nginx/greenlight-switch} as its switch, run over
 * SSH on the host, against a real nginx with the shipped {@code greenlight.conf} in front of the host's two colours
 * ({@link ProxiedBlueGreen}); health after the switch and the watch go through nginx. No client runs through
 * nginx during the switch here: nginx before 1.27.4 closes idle keep-alive client connections at a reload (README,
 * "Blue-green on your hosts"), so what clients see is measured by bench/blue-green/release.sh instead.
 */
class BlueGreenThroughNginxTest {
    @TempDir
    Path dir;

    private ProxiedBlueGreen bg;
    private Nginx nginx;

    @BeforeEach
    void start() throws Exception {
        bg = ProxiedBlueGreen.hosts(dir);
        nginx = Nginx.start(Files.createDirectories(dir.resolve("nginx")), Colours.port(bg.colours.blue));
        bg.start("nginx", nginx.switchEnvironment(), nginx.port);
    }

    @AfterEach
    void stop() throws Exception {
        if (bg != null) bg.close();
        if (nginx != null) nginx.close();
    }

    @Test
    void aReleaseMovesTrafficThroughNginxToTheNewColour() throws Exception {
        bg.release("1.0.0");
        assertThat(bg.colours.answers(nginx.port, 10)).containsOnly("200 blue 1.0.0");

        JsonNode d = bg.awaitEnd(bg.deploy("2.0.0"));

        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
        assertThat(bg.colours.answers(nginx.port, 20)).containsOnly("200 green 2.0.0");
        assertThat(Files.readString(nginx.upstream))
                .contains("server 127.0.0.1:" + Colours.port(bg.colours.green) + ";");
        assertThat(nginx.daemon().isAlive()).as("the same nginx master, reloaded").isTrue();
        assertThat(steps(d, "switch")).singleElement()
                .satisfies(s -> assertThat(s.get("status").asText()).isEqualTo("succeeded"));
        assertThat(bg.running("blue")).as("keep-previous: the old colour still runs").isTrue();
        assertThat(bg.colours.green.requests()).as("the watch read the new colour's errors through nginx")
                .contains("GET /health/errors");
    }

    @Test
    void errorsRisingOnTheNewColourPutTrafficBackThroughNginxOnTheOldOne() throws Exception {
        bg.release("1.0.0");
        bg.bad("2.0.0");

        JsonNode d = bg.awaitEnd(bg.deploy("2.0.0"));

        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
        assertThat(d.get("detail").asText()).startsWith("watch: ").contains("/health/errors said errors=");
        assertThat(bg.colours.answers(nginx.port, 20)).containsOnly("200 blue 1.0.0");
        assertThat(Files.readString(nginx.upstream))
                .contains("server 127.0.0.1:" + Colours.port(bg.colours.blue) + ";");
        assertThat(bg.running("green")).as("the bad colour stopped").isFalse();
        assertThat(bg.colours.green.requests()).as("the watch read the bad colour's errors through nginx")
                .contains("GET /health/errors");
        assertThat(stages(d)).containsSubsequence("switch", "watch", "rollback-switch", "rollback-stop",
                "rollback-health");
        assertThat(steps(d, "rollback-switch")).singleElement()
                .satisfies(s -> assertThat(s.get("status").asText()).isEqualTo("succeeded"));
        assertThat(steps(d, "rollback-health")).singleElement()
                .satisfies(s -> assertThat(s.get("status").asText()).isEqualTo("succeeded"));
    }
}
