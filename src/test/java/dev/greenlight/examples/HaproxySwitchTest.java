package dev.greenlight.examples;

import static dev.greenlight.examples.NginxSwitchTest.replaceOnce;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.RequiredPackage;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code examples/haproxy/greenlight-switch} against a real HAProxy running the shipped {@code haproxy.cfg}, started
 * by the test as the current user (its admin socket, server-state file and free port in a temporary directory), in
 * front of two real colours.
 */
class HaproxySwitchTest {
    @TempDir
    Path dir;

    private Path haproxy;
    private Colours colours;
    private Daemon proxy;
    private int port;
    private Path socket;
    private Path stateFile;
    private final Map<String, String> environment = new HashMap<>();

    @BeforeEach
    void startHaproxy() throws Exception {
        haproxy = RequiredPackage.require("haproxy", "haproxy");
        RequiredPackage.require("socat", "socat");
        colours = new Colours();
        port = TestGreenlight.freePort();
        socket = dir.resolve("admin.sock");
        stateFile = dir.resolve("server-state");
        Files.writeString(dir.resolve("haproxy.cfg"), shippedConfig());
        proxy = startProxy();
        colours.awaitServing(port, "blue");
        environment.putAll(Map.of("HAPROXY_SOCKET", socket.toString(), "HAPROXY_STATE_FILE", stateFile.toString()));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) proxy.close();
        if (colours != null) colours.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"maint", "drain"})
    void trafficMovesToTheNamedColourWithoutAReload(String retire) throws Exception {
        environment.put("HAPROXY_RETIRE", retire);
        long pid = haproxyPid();

        SwitchScript.Result result = script().run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(colours.answers(port, 20)).containsOnly("200 green");
        assertThat(servers()).containsEntry("green", "ready").containsEntry("blue", retire);
        assertThat(haproxyPid()).as("the same HAProxy process, never reloaded").isEqualTo(pid).isEqualTo(proxy.pid());
        assertThat(proxy.isAlive()).isTrue();

        SwitchScript.Result back = script().run("blue", String.valueOf(Colours.port(colours.blue)));
        assertThat(back.exitCode()).as(back.toString()).isZero();
        assertThat(colours.answers(port, 20)).containsOnly("200 blue");
        assertThat(haproxyPid()).isEqualTo(pid);
    }

    @Test
    void theSwitchedStateOutlivesARestart() throws Exception {
        SwitchScript.Result result = script().run("green", String.valueOf(Colours.port(colours.green)));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Files.readString(stateFile)).contains(" green ");

        proxy.close();
        proxy = startProxy();
        colours.awaitServing(port, "green");
        assertThat(colours.answers(port, 20)).containsOnly("200 green");
        assertThat(servers()).containsEntry("green", "ready").containsEntry("blue", "maint");
    }

    @Test
    void aRepeatedSwitchKeepsServing() throws Exception {
        String greenPort = String.valueOf(Colours.port(colours.green));
        assertThat(script().run("green", greenPort).exitCode()).isZero();

        SwitchScript.Result again = script().run("green", greenPort);

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(colours.answers(port, 10)).containsOnly("200 green");
    }

    @Test
    void anUnknownColourFailsAndChangesNothing() throws Exception {
        long pid = haproxyPid();
        Map<String, String> before = snapshot();

        SwitchScript.Result result = script().run("purple", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("backend app has no server purple (servers: blue green)");
        assertThat(snapshot()).isEqualTo(before);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
        assertThat(haproxyPid()).as("never reloaded").isEqualTo(pid);
        assertThat(stateFile).doesNotExist();
    }

    @Test
    void aColourThatFailsHaproxysHealthCheckGetsNoTraffic() throws Exception {
        environment.put("HAPROXY_UP_TIMEOUT", "3");
        Map<String, String> before = snapshot();

        SwitchScript.Result result = script().run("green", String.valueOf(TestHttpServer.closedPort()));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("did not pass HAProxy's health check", "traffic unchanged");
        assertThat(snapshot()).isEqualTo(before);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
    }

    static Stream<List<String>> badArguments() {
        return NginxSwitchTest.badArguments();
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsExitTwoAndChangeNothing(List<String> arguments) throws Exception {
        Map<String, String> before = snapshot();

        SwitchScript.Result result = script().run(arguments.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stderr()).contains("usage: greenlight-switch <color> <port>");
        assertThat(snapshot()).isEqualTo(before);
        assertThat(colours.answers(port, 5)).containsOnly("200 blue");
    }

    @Test
    void noAdminSocketFails() throws Exception {
        environment.put("HAPROXY_SOCKET", dir.resolve("missing.sock").toString());

        SwitchScript.Result result = script().run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("no HAProxy admin socket at " + dir.resolve("missing.sock"));
        assertThat(colours.answers(port, 5)).containsOnly("200 blue");
    }

    private SwitchScript script() {
        return new SwitchScript("haproxy", environment);
    }

    private Daemon startProxy() throws IOException {
        // -db: in the foreground, no daemon; the pid is the test's child
        return Daemon.start(List.of(haproxy.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString()),
                dir.resolve("haproxy.out"));
    }

    /**
     * examples/haproxy/haproxy.cfg with what needs root (log socket, chroot, user, daemon) left out, and its
     * socket, state file, port and the colours' ports moved to the test's.
     */
    private String shippedConfig() throws IOException {
        String config = Files.readString(Path.of("examples/haproxy/haproxy.cfg"));
        for (String rootOnly : List.of("    log /dev/log local0\n", "    chroot /var/lib/haproxy\n",
                "    user haproxy\n", "    group haproxy\n", "    daemon\n")) {
            config = replaceOnce(config, rootOnly, "");
        }
        config = replaceOnce(config, "/run/haproxy/admin.sock", socket.toString());
        config = replaceOnce(config, "/var/lib/haproxy/server-state", stateFile.toString());
        config = replaceOnce(config, "bind :80", "bind 127.0.0.1:" + port);
        config = replaceOnce(config, "127.0.0.1:8081", colours.blue.hostPort());
        return replaceOnce(config, "127.0.0.1:8082", colours.green.hostPort());
    }

    private String api(String command) throws IOException, InterruptedException {
        Process socat = new ProcessBuilder("socat", "-t", "5", "stdio", "UNIX-CONNECT:" + socket).start();
        socat.getOutputStream().write((command + "\n").getBytes());
        socat.getOutputStream().close();
        String answer = new String(socat.getInputStream().readAllBytes());
        assertThat(socat.waitFor()).as("socat " + command).isZero();
        return answer;
    }

    private long haproxyPid() throws IOException, InterruptedException {
        return api("show info").lines().filter(l -> l.startsWith("Pid: ")).map(l -> Long.parseLong(l.substring(5)))
                .findFirst().orElseThrow();
    }

    /** Each server of backend app with its admin state (ready, drain, maint). */
    private Map<String, String> servers() throws IOException, InterruptedException {
        Map<String, String> states = new HashMap<>();
        serverRows().forEach(f -> states.put(f[3], adminState(Integer.parseInt(f[6]))));
        return states;
    }

    /** Each server of backend app with what a switch may change: admin state, operational state, address, port. */
    private Map<String, String> snapshot() throws IOException, InterruptedException {
        Map<String, String> states = new HashMap<>();
        serverRows().forEach(f -> states.put(f[3], adminState(Integer.parseInt(f[6])) + " op " + f[5] + " " + f[4]
                + ":" + f[18]));
        return states;
    }

    /** {@code show servers state app}, one array of fields per server (HAProxy's column order). */
    private List<String[]> serverRows() throws IOException, InterruptedException {
        return api("show servers state app").lines().filter(l -> !l.isBlank() && !l.startsWith("#") && l.contains(" "))
                .map(l -> l.split(" ")).toList();
    }

    private static String adminState(int flags) {
        if ((flags & 0x23) != 0) return "maint";
        if ((flags & 0x18) != 0) return "drain";
        return "ready";
    }
}
