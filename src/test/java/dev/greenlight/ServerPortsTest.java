package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** camel.server.port and camel.management.port both away from their defaults: each server answers on its own. */
class ServerPortsTest {
    @TempDir
    Path dir;

    @Test
    void routesAndHealthAreServedOnTheirOwnNonDefaultPorts() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment())) {
            assertThat(app.port()).isNotIn(8080, 8081);
            assertThat(app.managementPort()).isNotIn(8080, 8081).isNotEqualTo(app.port());

            HttpResponse<String> health = get("http://127.0.0.1:" + app.managementPort() + "/observe/health", app);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(health.body()).path("status").asText()).isEqualTo("UP");

            HttpResponse<String> api = app.get("/api/v1/environments", TestConfig.DEPLOYER_TOKEN);
            assertThat(api.statusCode()).isEqualTo(200);
            assertThat(api.body()).contains("\"environment\":\"qa\"");

            // each server serves only its own
            assertThat(app.get("/observe/health", null).statusCode()).isEqualTo(404);
            assertThat(get("http://127.0.0.1:" + app.managementPort() + "/api/v1/openapi.json", app).statusCode()).isEqualTo(404);
        }
    }

    private static HttpResponse<String> get(String url, TestGreenlight app) {
        return app.send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }
}
