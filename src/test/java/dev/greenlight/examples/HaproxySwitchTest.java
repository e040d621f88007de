package dev.greenlight.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.TestHttpServer;
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

    private Colours colours;
    private Haproxy haproxy;
    private int port;
    private final Map<String, String> environment = new HashMap<>();

    @BeforeEach
    void startHaproxy() throws Exception {
        colours = new Colours();
        haproxy = Haproxy.start(dir, colours.blue.hostPort(), colours.green.hostPort());
        port = haproxy.port;
        colours.awaitServing(port, "blue");
        environment.putAll(haproxy.switchEnvironment());
    }

    @AfterEach
    void stop() throws Exception {
        if (haproxy != null) haproxy.close();
        if (colours != null) colours.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"maint", "drain"})
    void trafficMovesToTheNamedColourWithoutAReload(String retire) throws Exception {
        environment.put("HAPROXY_RETIRE", retire);
        long pid = haproxy.pid();

        SwitchScript.Result result = script().run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(colours.answers(port, 20)).containsOnly("200 green");
        assertThat(haproxy.servers()).containsEntry("green", "ready").containsEntry("blue", retire);
        assertThat(haproxy.pid()).as("the same HAProxy process, never reloaded").isEqualTo(pid)
                .isEqualTo(haproxy.daemon().pid());
        assertThat(haproxy.daemon().isAlive()).isTrue();

        SwitchScript.Result back = script().run("blue", String.valueOf(Colours.port(colours.blue)));
        assertThat(back.exitCode()).as(back.toString()).isZero();
        assertThat(colours.answers(port, 20)).containsOnly("200 blue");
        assertThat(haproxy.pid()).isEqualTo(pid);
    }

    @Test
    void theSwitchedStateOutlivesARestart() throws Exception {
        SwitchScript.Result result = script().run("green", String.valueOf(Colours.port(colours.green)));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Files.readString(haproxy.stateFile)).contains(" green ");

        haproxy.restart();
        colours.awaitServing(port, "green");
        assertThat(colours.answers(port, 20)).containsOnly("200 green");
        assertThat(haproxy.servers()).containsEntry("green", "ready").containsEntry("blue", "maint");
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
        long pid = haproxy.pid();
        Map<String, String> before = haproxy.snapshot();

        SwitchScript.Result result = script().run("purple", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("backend app has no server purple (servers: blue green)");
        assertThat(haproxy.snapshot()).isEqualTo(before);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
        assertThat(haproxy.pid()).as("never reloaded").isEqualTo(pid);
        assertThat(haproxy.stateFile).doesNotExist();
    }

    @Test
    void aColourThatFailsHaproxysHealthCheckGetsNoTraffic() throws Exception {
        environment.put("HAPROXY_UP_TIMEOUT", "3");
        Map<String, String> before = haproxy.snapshot();

        SwitchScript.Result result = script().run("green", String.valueOf(TestHttpServer.closedPort()));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("did not pass HAProxy's health check", "traffic unchanged");
        assertThat(haproxy.snapshot()).isEqualTo(before);
        assertThat(colours.answers(port, 10)).containsOnly("200 blue");
    }

    @Test
    void aCheckPathThatIsNotAPathFailsAndChangesNothing() throws Exception {
        environment.put("HAPROXY_CHECK_PATH", "/health; rm -rf /");
        Map<String, String> before = haproxy.snapshot();

        SwitchScript.Result result = script().run("green", String.valueOf(Colours.port(colours.green)));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("HAPROXY_CHECK_PATH", "is not a URL path");
        assertThat(haproxy.snapshot()).isEqualTo(before);
        assertThat(colours.answers(port, 5)).containsOnly("200 blue");
    }

    static Stream<List<String>> badArguments() {
        return NginxSwitchTest.badArguments();
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsExitTwoAndChangeNothing(List<String> arguments) throws Exception {
        Map<String, String> before = haproxy.snapshot();

        SwitchScript.Result result = script().run(arguments.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stderr()).contains("usage: greenlight-switch <color> <port>");
        assertThat(haproxy.snapshot()).isEqualTo(before);
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
}
