package dev.greenlight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code examples/nginx/greenlight-switch} against a real nginx, started by the test as the current user in a
 * temporary prefix (its own pid file, error log and free port) with the shipped {@code greenlight.conf} in its http
 * block, in front of two real colours.
 */
class NginxSwitchTest {
    @TempDir
    Path dir;

    private Colours colours;
    private Nginx nginx;
    private int port;
    private Path upstream;
    private Path extra;
    private SwitchScript script;

    @BeforeEach
    void startNginx() throws IOException {
        colours = new Colours();
        nginx = Nginx.start(dir, Colours.port(colours.blue));
        port = nginx.port;
        upstream = nginx.upstream;
        extra = nginx.extra;
        colours.awaitServing(port, "blue");
        script = script(Map.of());
    }

    private SwitchScript script(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(settings);
        environment.putAll(nginx.switchEnvironment());
        return new SwitchScript("nginx", environment);
    }

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) nginx.close();
        if (colours != null) colours.close();
    }

    @Test
    void trafficMovesToTheNamedColourAndBack() throws Exception {
        String blueFile = Files.readString(upstream);
        SwitchScript.Result toGreen = script.run("green", String.valueOf(Colours.port(colours.green)));
        assertThat(toGreen.exitCode()).as(toGreen.toString()).isZero();
        // the script returns once new workers serve: no waiting here
        assertThat(colours.answers(port, 20)).containsOnly("200 green");
        assertThat(Files.readString(upstream)).contains("server 127.0.0.1:" + Colours.port(colours.green) + ";");
        assertThat(Files.readString(Path.of(upstream + ".previous"))).isEqualTo(blueFile);
        assertThat(nginx.daemon().isAlive()).as("the same nginx master, reloaded").isTrue();

        SwitchScript.Result toBlue = script.run("blue", String.valueOf(Colours.port(colours.blue)));
        assertThat(toBlue.exitCode()).as(toBlue.toString()).isZero();
        assertThat(colours.answers(port, 20)).containsOnly("200 blue");
    }

    static Stream<List<String>> badArguments() {
        return Stream.of(List.of("Blue", "8082"), List.of("-rf", "8082"), List.of("green;reboot", "8082"),
                List.of("", "8082"), List.of("g".repeat(64), "8082"), List.of("green", "0"),
                List.of("green", "65536"), List.of("green", "80 81"), List.of("green", "0x50"), List.of("green"),
                List.of("green", "8082", "extra"));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsExitTwoAndChangeNothing(List<String> arguments) throws Exception {
        String before = Files.readString(upstream);
        List<Long> workers = nginx.workers();

        SwitchScript.Result result = script.run(arguments.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stderr()).containsAnyOf("invalid color", "invalid port", "expected 2 arguments")
                .contains("usage: greenlight-switch <color> <port>");
        assertThat(Files.readString(upstream)).isEqualTo(before);
        assertThat(Files.exists(Path.of(upstream + ".previous"))).as("nothing written").isFalse();
        assertThat(nginx.workers()).as("not reloaded").isEqualTo(workers);
        assertThat(colours.answers(port, 5)).containsOnly("200 blue");
    }

    @Test
    void aConfigurationNginxRefusesKeepsTheOldUpstreamAndTraffic() throws Exception {
        String before = Files.readString(upstream);
        List<Long> workers = nginx.workers();
        Files.writeString(extra, "server { listen 127.0.0.1:1; no_such_directive on; }\n");

        SwitchScript.Result result = script.run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("nginx -t refused the configuration", "is back as it was",
                "unknown directive \"no_such_directive\"");
        assertThat(Files.readString(upstream)).isEqualTo(before);
        assertThat(nginx.workers()).as("not reloaded").isEqualTo(workers);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
    }

    @Test
    void aReloadThatDoesNotTakePutsThePreviousFileBack() throws Exception {
        String before = Files.readString(upstream);
        List<Long> workers = nginx.workers();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // nginx -t does not bind, so it passes; the reload cannot bind and nginx keeps the old configuration
            Files.writeString(extra, "server { listen 127.0.0.1:" + taken.getLocalPort() + "; }\n");

            SwitchScript.Result result = script(Map.of("NGINX_RELOAD_TIMEOUT", "3"))
                    .run("green", String.valueOf(Colours.port(colours.green)));

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
            assertThat(result.stderr()).contains("nginx did not start workers with the new configuration",
                    "is back as it was");
            assertThat(Files.readString(upstream)).isEqualTo(before);
            assertThat(colours.answers(port, 10)).containsOnly("200 blue");
            // nginx gives up on a busy port after about 2.5 s, for the reload and for the script's second one
            Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> bindFailures() == 2);
        }
        assertThat(nginx.workers()).as("the old workers still serve").isEqualTo(workers);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
    }

    private long bindFailures() throws IOException {
        return Files.readString(nginx.errorLog()).lines().filter(l -> l.contains("still could not bind()"))
                .count();
    }

    @Test
    void nginxNotRunningFailsWithoutTouchingTheFile() throws Exception {
        String before = Files.readString(upstream);
        nginx.close();

        SwitchScript.Result result = script.run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("nginx is not running");
        assertThat(Files.readString(upstream)).isEqualTo(before);
    }

    static String replaceOnce(String text, String target, String replacement) {
        assertThat(text).as("the shipped file has " + target).contains(target);
        return text.replace(target, replacement);
    }
}
