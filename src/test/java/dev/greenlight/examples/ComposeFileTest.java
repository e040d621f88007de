package dev.greenlight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * examples/compose/compose.yaml parses and has what a colour needs. There is no Docker engine here to run it; this
 * checks the file, not Compose.
 */
class ComposeFileTest {
    private static final Path FILE = Path.of("examples/compose/compose.yaml");

    @Test
    @SuppressWarnings("unchecked")
    void oneColourOfTheAppOnLoopbackWithAHealthcheck() throws Exception {
        String text = Files.readString(FILE);
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
        Map<String, Object> web = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("web");

        assertThat((String) web.get("image")).contains("${IMAGE_TAG:?");
        assertThat((List<String>) web.get("ports")).singleElement().asString()
                .as("bound on loopback only").startsWith("127.0.0.1:${PORT:?");
        assertThat(web.get("restart")).isEqualTo("unless-stopped");
        Map<String, Object> healthcheck = (Map<String, Object>) web.get("healthcheck");
        assertThat((List<String>) healthcheck.get("test")).first().isEqualTo("CMD");
        assertThat(healthcheck).containsKeys("interval", "timeout", "retries", "start_period");
        assertThat(text).as("the command Greenlight runs, in the comments")
                .contains("PORT={{port}} IMAGE_TAG={{version}} docker compose -p flowstate-{{color}} up -d --wait");
    }
}
