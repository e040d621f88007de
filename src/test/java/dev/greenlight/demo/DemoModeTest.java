package dev.greenlight.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlight.config.ConfigException;
import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.DemoWalkthrough;
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
 * Demo mode as a person meets it: the service's main class started in a JVM of its own (the build's classpath, as
 * target/classes carries what the jar carries; {@code DemoJarIT} runs the packaged jar) from a directory with no
 * configuration; and a configured installation, which never runs the demo.
 */
class DemoModeTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void withNoConfigurationTheDemoReachesReadyAndItsPrintedCommandsReleaseAndRollBack() throws Exception {
        int port = TestGreenlight.freePort();
        int managementPort = TestGreenlight.freePort();
        DemoWalkthrough.Welcome welcome;
        try (ChildGreenlight app = ChildGreenlight.start(dir, ports(port, managementPort), List.of())) {
            welcome = DemoWalkthrough.awaitWelcome(app, Duration.ofSeconds(150));
            assertThat(app.stdout()).contains("Greenlight starts in DEMO mode");
            assertThat(welcome.heading()).startsWith("Greenlight demo is ready");
            assertThat(welcome.baseUrl()).isEqualTo("http://127.0.0.1:" + port);
            HttpResponse<String> dashboard = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(welcome.baseUrl() + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(dashboard.statusCode()).as("the dashboard the welcome names").isEqualTo(200);
            assertThat(dashboard.body()).contains("<title>Greenlight</title>");
            assertThat(health(managementPort)).startsWith("{\"status\":\"UP\"");
            assertThat(welcome.demoFiles()).isDirectory();
            assertThat(Files.readString(welcome.demoFiles().resolve("known_hosts")))
                    .contains("[127.0.0.2]:", "[127.0.0.3]:");

            DemoWalkthrough.releaseThenBrokenRelease(welcome);

            assertThat(listening("127.0.0.1", port)).isTrue();
            assertThat(listeningAnywhereElse(port)).as("the demo serves on loopback only").isFalse();
        }
        assertThat(welcome.demoFiles()).as("removed when the demo stops").doesNotExist();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .filter(c -> c.contains("dev.greenlight.demo.DemoApp")
                        && c.contains(welcome.demoFiles().toString())).isPresent()))
                .as("no demo app outlives the demo").isEmpty();
    }

    @Test
    void aConfiguredInstallationRunsOnItsConfigurationAndNotTheDemo() throws Exception {
        TestConfig.write(dir);
        int port = TestGreenlight.freePort();
        int managementPort = TestGreenlight.freePort();
        Map<String, String> env = new HashMap<>(TestConfig.environment());
        env.putAll(ports(port, managementPort));
        try (ChildGreenlight app = ChildGreenlight.start(dir, env, List.of())) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> health(managementPort).startsWith("{\"status\":\"UP\""));
            assertThat(app.stdout()).contains("Greenlight starts on its configuration: "
                    + dir.resolve("greenlight.yaml").toRealPath()).doesNotContain("DEMO", "Demo:");
        }
    }

    @Test
    void demoWithAConfigurationIsRefusedWithExitCodeTwoAndStartsNothing() throws Exception {
        TestConfig.write(dir);
        try (ChildGreenlight app = ChildGreenlight.start(dir, ports(TestGreenlight.freePort(),
                TestGreenlight.freePort()), List.of(), List.of("--demo"))) {
            assertThat(app.awaitExit()).isEqualTo(2);
            assertThat(app.stderr().strip()).isEqualTo("greenlight: configuration error: --demo is refused: this "
                    + "installation is configured (" + dir.resolve("greenlight.yaml").toRealPath() + "), and the "
                    + "demo never runs in place of a configuration; start without --demo, or run the demo from a "
                    + "directory without greenlight.yaml and with GREENLIGHT_CONFIG unset");
            assertThat(app.stdout()).doesNotContain("DEMO", "Demo:");
        }
    }

    @Test
    void aNamedConfigurationThatIsMissingFailsTheStartInsteadOfRunningTheDemo() throws Exception {
        Map<String, String> env = new HashMap<>(ports(TestGreenlight.freePort(), TestGreenlight.freePort()));
        env.put("GREENLIGHT_CONFIG", dir.resolve("gone.yaml").toString());
        try (ChildGreenlight app = ChildGreenlight.start(dir, env, List.of())) {
            assertThat(app.awaitExit()).isEqualTo(2);
            assertThat(app.stderr()).contains("gone.yaml: cannot read the deployment configuration");
            assertThat(app.stdout()).doesNotContain("DEMO", "Demo:");
        }
    }

    @Test
    void onlyANamedOrPresentConfigurationKeepsTheDemoOff() throws IOException {
        Map<String, String> none = Map.of();
        assertThat(choose(new String[] {"--demo", "-durationMaxSeconds", "5"}, none, none))
                .satisfies(m -> assertThat(m.demo()).isTrue())
                .satisfies(m -> assertThat(m.args()).containsExactly("-durationMaxSeconds", "5"));
        assertThat(choose(new String[0], none, none).demo()).isTrue();
        assertThat(choose(new String[0], Map.of("GREENLIGHT_CONFIG", "/etc/greenlight/greenlight.yaml"), none)
                .configured()).isEqualTo("GREENLIGHT_CONFIG=/etc/greenlight/greenlight.yaml");
        assertThat(choose(new String[0], none, Map.of("greenlight.config", "x.yaml")).demo()).isFalse();
        assertThat(choose(new String[0], Map.of("GREENLIGHT_CONFIG", " "), none).demo()).isTrue();

        Files.writeString(dir.resolve("application.properties"), "greenlight.config = /srv/gl.yaml\n");
        assertThat(choose(new String[0], none, none).configured())
                .isEqualTo("greenlight.config = /srv/gl.yaml in application.properties");
        assertThatThrownBy(() -> choose(new String[] {"--demo"}, none, none))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--demo is refused");
    }

    private LaunchMode choose(String[] args, Map<String, String> env, Map<String, String> system) {
        return LaunchMode.choose(args, env::get, system::get, dir);
    }

    private static Map<String, String> ports(int port, int managementPort) {
        return Map.of("CAMEL_SERVER_PORT", String.valueOf(port), "CAMEL_MANAGEMENT_PORT",
                String.valueOf(managementPort));
    }

    private static String health(int managementPort) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/health")).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static boolean listening(String address, int port) throws IOException {
        try (Socket ignored = new Socket(address, port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    /** Whether the port answers on an address of this machine that is not 127.0.0.1 (another loopback one, too). */
    private static boolean listeningAnywhereElse(int port) throws IOException {
        if (listening("127.0.0.4", port)) return true;
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (var address : java.util.Collections.list(nic.getInetAddresses())) {
                if (address instanceof java.net.Inet4Address && !address.isLoopbackAddress()
                        && listening(address.getHostAddress(), port)) return true;
            }
        }
        return false;
    }
}
