package dev.greenlight.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.bluegreen.BlueGreenFixture;
import dev.greenlight.http.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's page and files as the HTTP server serves them, and the environment facts its first view shows;
 * the whole service on a blue-green environment with real SSH hosts and colours.
 */
class DashboardAssetsTest {
    @TempDir
    Path dir;

    @Test
    void thePageAndItsFilesComeFromTheJarWithAPolicyThatLoadsNothingFromElsewhere() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(1, "", "watch: { duration: 0s }"))) {
            HttpResponse<String> page = f.app.get("/", null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(DashboardAssets.CONTENT_SECURITY_POLICY);
            assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(page.body()).contains("<script src=\"/ui/app.js\" defer></script>").doesNotContain("http://", "https://");

            HttpResponse<String> script = f.app.get("/ui/app.js", null);
            assertThat(script.statusCode()).isEqualTo(200);
            assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
            assertThat(script.body()).contains("Authorization").doesNotContain("innerHTML", "eval(");
            assertThat(f.app.get("/ui/charts.js", null).body()).doesNotContain("innerHTML", "eval(");
            assertThat(f.app.get("/ui/app.css", null).headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
            assertThat(f.app.get("/ui/icon.svg", null).statusCode()).isEqualTo(200);

            for (String path : new String[] {"/ui/greenlight.yaml", "/ui/..%2Fgreenlight.yaml", "/ui/index.html",
                    "/ui/application.properties", "/ui/%2e%2e%2fpom.xml"}) {
                HttpResponse<String> missing = f.app.get(path, null);
                assertThat(missing.statusCode()).as(path).isEqualTo(404);
                assertThat(missing.body()).as(path).doesNotContain("apps:", "camel.", "<project");
            }
            HttpResponse<String> post = f.app.send(HttpRequest.newBuilder(f.app.uri("/"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void environmentsSayTheLiveColourTheLastDeploymentAndWhoHoldsTheLease() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(1, "", "watch: { duration: 0s }"))) {
            JsonNode before = production(f);
            assertThat(before.get("liveColor").isNull()).isTrue();
            assertThat(before.get("lastDeployment").isNull()).isTrue();
            assertThat(before.get("leaseHolder").isNull()).isTrue();

            long first = f.deployed("1.0.0");
            JsonNode after = production(f);
            assertThat(after.get("liveColor").asText()).isEqualTo("blue");
            assertThat(after.get("liveVersion").asText()).isEqualTo("1.0.0");
            assertThat(after.get("lastDeployment").get("id").asLong()).isEqualTo(first);
            assertThat(after.get("lastDeployment").get("status").asText()).isEqualTo("succeeded");
            assertThat(after.get("locked").asBoolean()).isFalse();

            f.write(1, "deploy-hook", "sleep 3");
            long second = f.deploy("2.0.0");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !production(f).get("running").isNull());
            JsonNode running = production(f);
            assertThat(running.get("running").get("id").asLong()).isEqualTo(second);
            assertThat(running.get("leaseHolder").asText()).isNotBlank();
            assertThat(running.get("leaseExpiresAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(running.get("lastDeployment").get("id").asLong()).isEqualTo(first);
            f.awaitEnd(second);
        }
    }

    private static JsonNode production(BlueGreenFixture f) throws Exception {
        JsonNode all = Json.MAPPER.readTree(f.app.get("/api/v1/environments", BlueGreenFixture.TOKEN).body())
                .get("environments");
        for (JsonNode e : all) if (e.get("environment").asText().equals("production")) return e;
        throw new AssertionError("no production in " + all);
    }
}
