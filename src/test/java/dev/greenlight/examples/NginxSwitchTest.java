package dev.greenlight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.RequiredPackage;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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

    private Path nginx;
    private Colours colours;
    private Daemon proxy;
    private int port;
    private Path upstream;
    private Path extra;
    private SwitchScript script;

    @BeforeEach
    void startNginx() throws IOException {
        nginx = RequiredPackage.require("nginx", "nginx");
        colours = new Colours();
        port = TestGreenlight.freePort();
        upstream = dir.resolve("greenlight/upstream.conf");
        extra = dir.resolve("extra.conf");
        Files.createDirectories(upstream.getParent());
        Files.writeString(upstream, "server 127.0.0.1:" + Colours.port(colours.blue) + ";\n");
        Files.writeString(extra, "# another site's configuration\n");
        Files.writeString(dir.resolve("greenlight.conf"), shippedSnippet());
        Files.writeString(dir.resolve("nginx.conf"), """
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                worker_processes 1;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    include %1$s/greenlight.conf;
                    include %1$s/extra.conf;
                }
                """.formatted(dir));
        proxy = Daemon.start(Stream.concat(nginxCommand().stream(), Stream.of("-g", "daemon off;")).toList(),
                dir.resolve("nginx.out"));
        colours.awaitServing(port, "blue");
        script = script(Map.of());
    }

    private SwitchScript script(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(settings);
        environment.putAll(Map.of("NGINX", String.join(" ", nginxCommand()),
                "NGINX_PID", dir.resolve("nginx.pid").toString(), "GREENLIGHT_UPSTREAM", upstream.toString()));
        return new SwitchScript("nginx", environment);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) proxy.close();
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
        assertThat(proxy.isAlive()).as("the same nginx master, reloaded").isTrue();

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
        List<Long> workers = workers();

        SwitchScript.Result result = script.run(arguments.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stderr()).containsAnyOf("invalid color", "invalid port", "expected 2 arguments")
                .contains("usage: greenlight-switch <color> <port>");
        assertThat(Files.readString(upstream)).isEqualTo(before);
        assertThat(Files.exists(Path.of(upstream + ".previous"))).as("nothing written").isFalse();
        assertThat(workers()).as("not reloaded").isEqualTo(workers);
        assertThat(colours.answers(port, 5)).containsOnly("200 blue");
    }

    @Test
    void aConfigurationNginxRefusesKeepsTheOldUpstreamAndTraffic() throws Exception {
        String before = Files.readString(upstream);
        List<Long> workers = workers();
        Files.writeString(extra, "server { listen 127.0.0.1:1; no_such_directive on; }\n");

        SwitchScript.Result result = script.run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("nginx -t refused the configuration", "is back as it was",
                "unknown directive \"no_such_directive\"");
        assertThat(Files.readString(upstream)).isEqualTo(before);
        assertThat(workers()).as("not reloaded").isEqualTo(workers);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
    }

    @Test
    void aReloadThatDoesNotTakePutsThePreviousFileBack() throws Exception {
        String before = Files.readString(upstream);
        List<Long> workers = workers();
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
        assertThat(workers()).as("the old workers still serve").isEqualTo(workers);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
    }

    private long bindFailures() throws IOException {
        return Files.readString(dir.resolve("error.log")).lines().filter(l -> l.contains("still could not bind()"))
                .count();
    }

    @Test
    void nginxNotRunningFailsWithoutTouchingTheFile() throws Exception {
        String before = Files.readString(upstream);
        proxy.close();

        SwitchScript.Result result = script.run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("nginx is not running");
        assertThat(Files.readString(upstream)).isEqualTo(before);
    }

    private List<String> nginxCommand() {
        return List.of(nginx.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("error.log").toString());
    }

    /** examples/nginx/greenlight.conf with its listen address and include path moved into the test's directory. */
    private String shippedSnippet() throws IOException {
        String shipped = Files.readString(Path.of("examples/nginx/greenlight.conf"));
        return replaceOnce(replaceOnce(shipped, "listen 80;", "listen 127.0.0.1:" + port + ";"),
                "include /etc/nginx/greenlight/upstream.conf;", "include " + upstream + ";");
    }

    static String replaceOnce(String text, String target, String replacement) {
        assertThat(text).as("the shipped file has " + target).contains(target);
        return text.replace(target, replacement);
    }

    /** The nginx master's workers: a reload replaces them. */
    private List<Long> workers() {
        List<Long> pids = new ArrayList<>(ProcessHandle.of(proxy.pid()).orElseThrow().children()
                .map(ProcessHandle::pid).toList());
        Collections.sort(pids);
        return pids;
    }
}
