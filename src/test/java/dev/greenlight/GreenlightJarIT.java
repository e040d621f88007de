package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestGreenlight;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar (run by {@code mvn verify} after {@code package}), started with {@code java -jar} from a
 * directory holding only greenlight.yaml: the routes and settings it carries are found, its ports served.
 */
class GreenlightJarIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void theJarRunsFromADirectoryWithOnlyGreenlightYaml() throws Exception {
        Path jar = Path.of("target", "greenlight.jar");
        assertThat(jar).as("built by the package phase").isRegularFile();
        TestConfig.write(dir);
        int port = TestGreenlight.freePort();
        int managementPort = TestGreenlight.freePort();
        Map<String, String> env = new HashMap<>(TestConfig.environment());
        env.put("CAMEL_SERVER_PORT", String.valueOf(port));
        env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(managementPort));

        try (ChildGreenlight app = ChildGreenlight.startJar(jar, dir, env)) {
            // health answers 200 only once every route has started, the API's included (while it starts, it is 503
            // with some checks already UP in its body)
            app.awaitHealthy(managementPort);
            HttpResponse<String> api = get(port, "/api/v1/environments", TestConfig.DEPLOYER_TOKEN);
            assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
            assertThat(api.body()).contains("\"environment\":\"qa\"");
            assertThat(get(port, "/api/v1/openapi.json", null).statusCode()).isEqualTo(200);
            commandLineFromTheSameJar(jar, port);
        }
    }

    /**
     * {@code java -jar greenlight.jar status} and {@code bin/greenlight status} call the running service, from a
     * directory of their own, in which they start nothing: no database file, no Camel.
     */
    private void commandLineFromTheSameJar(Path jar, int port) throws Exception {
        Path cliDir = Files.createDirectories(dir.resolve("cli"));
        Map<String, String> env = Map.of("GREENLIGHT_URL", "http://127.0.0.1:" + port,
                "GREENLIGHT_TOKEN", TestConfig.DEPLOYER_TOKEN);
        try (ChildGreenlight status = ChildGreenlight.startJar(jar, cliDir, env, List.of("status", "shop", "qa"))) {
            assertThat(status.awaitExit()).as(status.stderr()).isZero();
            assertThat(status.stdout()).startsWith("APP").contains("shop  qa").doesNotContain("Camel");
            assertThat(status.stderr()).isEmpty();
        }
        ProcessBuilder wrapper = new ProcessBuilder("sh", Path.of("bin", "greenlight").toAbsolutePath().toString(),
                "show", "99999").directory(cliDir.toFile()).redirectErrorStream(true);
        wrapper.environment().putAll(env);
        wrapper.environment().put("GREENLIGHT_JAR", jar.toAbsolutePath().toString());
        wrapper.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process shown = wrapper.start();
        String output = new String(shown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shown.waitFor()).as(output).isEqualTo(4);
        assertThat(output).isEqualTo("greenlight: refused (404): no deployment 99999\n");
        try (Stream<Path> left = Files.list(cliDir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("nothing but the captured output: no data/ directory, no database")
                    .allMatch(name -> name.startsWith("stdout") || name.startsWith("stderr"));
        }
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
