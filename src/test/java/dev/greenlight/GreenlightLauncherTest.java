package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service started as an operator starts it, in a JVM of its own, from a directory holding nothing of the
 * repository: the routes and default settings come from the classpath, the ports from wherever they are set.
 */
class GreenlightLauncherTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void fromADirectoryWithOnlyGreenlightYamlItServesTheRoutesOnThePortsOfTheEnvironment() throws Exception {
        TestConfig.write(dir); // found as ./greenlight.yaml, the default
        int port = TestGreenlight.freePort();
        int managementPort = TestGreenlight.freePort();
        Map<String, String> env = new HashMap<>(TestConfig.environment());
        env.put("CAMEL_SERVER_PORT", String.valueOf(port));
        env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(managementPort));

        try (ChildGreenlight app = ChildGreenlight.start(dir, env, List.of())) {
            awaitHealthy(app, managementPort);
            HttpResponse<String> api = get(port, "/api/v1/environments", TestConfig.DEPLOYER_TOKEN);
            assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
            assertThat(api.body()).contains("\"app\":\"shop\"", "\"environment\":\"qa\"");
        }
        assertThat(dir.resolve("routes")).doesNotExist();
        assertThat(dir.resolve("application.properties")).doesNotExist();
    }

    @Test
    void aSystemPropertyComesFirstThenTheEnvironmentThenTheWorkingDirectorysPropertiesThenTheJars() throws Exception {
        TestConfig.write(dir);
        int port = TestGreenlight.freePort();
        int envPort = TestGreenlight.freePort();
        int managementPort = TestGreenlight.freePort();
        // the working directory's file: the management port, a server port that the -D replaces, and the jar's
        // routes plus one of its own
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "camel.server.port = 1",
                "camel.management.port = " + managementPort,
                "camel.main.routes-include-pattern = classpath:routes/*.camel.yaml,file:extra/*.camel.yaml", ""));
        Files.createDirectories(dir.resolve("extra"));
        Files.writeString(dir.resolve("extra/hello.camel.yaml"), """
                - route:
                    id: extra-hello
                    from:
                      uri: platform-http:/extra/hello
                      steps:
                        - setBody:
                            constant: "hello from the working directory"
                """);
        Map<String, String> env = new HashMap<>(TestConfig.environment());
        env.put("CAMEL_SERVER_PORT", String.valueOf(envPort));

        try (ChildGreenlight app = ChildGreenlight.start(dir, env, List.of("-Dcamel.server.port=" + port))) {
            awaitHealthy(app, managementPort);
            assertThat(get(port, "/api/v1/environments", TestConfig.DEPLOYER_TOKEN).statusCode()).isEqualTo(200);
            HttpResponse<String> extra = get(port, "/extra/hello", null);
            assertThat(extra.statusCode()).isEqualTo(200);
            assertThat(extra.body()).isEqualTo("hello from the working directory");
            assertThat(listening(envPort)).as("the environment's port, overridden by -D").isFalse();
        }
    }

    @Test
    void anUnreachableDatabaseIsOneLineOnStderrAndExitCodeTwoWithNoStackTrace() throws Exception {
        TestConfig.write(dir);
        int closed = TestGreenlight.freePort();
        Map<String, String> env = new HashMap<>(TestConfig.environment());
        env.put("GREENLIGHT_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/greenlight");
        env.put("CAMEL_SERVER_PORT", String.valueOf(TestGreenlight.freePort()));
        env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(TestGreenlight.freePort()));

        try (ChildGreenlight app = ChildGreenlight.start(dir, env, List.of())) {
            assertThat(app.awaitExit()).isEqualTo(2);
            assertThat(app.stderr().strip()).isEqualTo("greenlight: configuration error: greenlight.db.url "
                    + "(GREENLIGHT_DB_URL): cannot connect to jdbc:postgresql://127.0.0.1:" + closed
                    + "/greenlight: Connection refused");
            assertThat(app.stdout()).as("the log, at its default level").doesNotContain("\tat ", "Exception");
        }
    }

    private static void awaitHealthy(ChildGreenlight app, int managementPort) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IOException.class).untilAsserted(() -> {
            if (!app.isAlive()) {
                // not an assertion: awaitility stops at once
                throw new IllegalStateException("the service stopped:\n" + app.stdout() + app.stderr());
            }
            HttpResponse<String> health = get(managementPort, "/observe/health", null);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("UP");
        });
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean listening(int port) throws IOException {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }
}
