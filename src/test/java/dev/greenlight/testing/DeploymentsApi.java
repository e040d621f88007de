package dev.greenlight.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/** A test's calls of the deployments API of a running Greenlight, as one token, for one app and environment. */
public record DeploymentsApi(TestGreenlight app, String token, String appName, String environment) {
    public static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed",
            "cancelled");

    /** Queues {@code version} (expecting 202) and returns the deployment's id. */
    public long deploy(String version) {
        var r = app.postJson("/api/v1/deployments", token, "{\"app\":\"" + appName + "\",\"environment\":\""
                + environment + "\",\"version\":\"" + version + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return read(r.body()).get("id").asLong();
    }

    public JsonNode awaitEnd(long id, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> TERMINAL.contains(deployment(id).get("status").asText()));
        return deployment(id);
    }

    public JsonNode deployment(long id) {
        return read(app.get("/api/v1/deployments/" + id, token).body());
    }

    public static List<JsonNode> steps(JsonNode deployment, String stage) {
        return StreamSupport.stream(deployment.get("steps").spliterator(), false)
                .filter(s -> s.get("stage").asText().equals(stage)).toList();
    }

    private static JsonNode read(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
