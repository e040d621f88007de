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
import java.util.Map;
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

    @Test
    void portVariablesAreHandedToCamelMainUnlessASystemPropertyIsSet() {
        Map<String, String> env = Map.of("CAMEL_SERVER_PORT", "9090", "CAMEL_MANAGEMENT_PORT", " 9091 ",
                "CAMEL_SERVER_HOST", "127.0.0.1");
        assertThat(Greenlight.portsFromEnvironment(env::get, name -> null))
                .containsExactly(Map.entry("camel.server.port", "9090"), Map.entry("camel.management.port", "9091"));
        assertThat(Greenlight.portsFromEnvironment(env::get, name -> name.equals("camel.server.port") ? "9191" : null))
                .as("-D comes first, as in Camel Main").containsExactly(Map.entry("camel.management.port", "9091"));
        assertThat(Greenlight.portsFromEnvironment(name -> null, name -> null)).isEmpty();
    }

    private static HttpResponse<String> get(String url, TestGreenlight app) {
        return app.send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }
}
