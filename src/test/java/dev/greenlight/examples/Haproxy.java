package dev.greenlight.examples;

import static dev.greenlight.examples.NginxSwitchTest.replaceOnce;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.RequiredPackage;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real HAProxy running the shipped {@code examples/haproxy/haproxy.cfg} as the current user: its admin socket,
 * server-state file and free loopback port in a directory of the test's, its two servers on the colours' addresses.
 * Skips (or, with {@code CI=true}, fails) the test when haproxy or socat is not installed.
 */
final class Haproxy implements AutoCloseable {
    final int port;
    final Path socket;
    final Path stateFile;
    private final Path executable;
    private final Path dir;
    private Daemon daemon;

    private Haproxy(Path executable, Path dir, int port) {
        this.executable = executable;
        this.dir = dir;
        this.port = port;
        this.socket = dir.resolve("admin.sock");
        this.stateFile = dir.resolve("server-state");
    }

    /** @param blue and @param green the colours' {@code 127.0.0.1:port}, the configured servers' addresses */
    static Haproxy start(Path dir, String blue, String green) throws IOException {
        Path executable = RequiredPackage.require("haproxy", "haproxy");
        RequiredPackage.require("socat", "socat");
        Haproxy haproxy = new Haproxy(executable, dir, TestGreenlight.freePort());
        Files.writeString(dir.resolve("haproxy.cfg"), haproxy.shippedConfig(blue, green));
        haproxy.daemon = haproxy.startDaemon();
        return haproxy;
    }

    /** What the switch script needs to find this HAProxy: its socket and its state file. */
    Map<String, String> switchEnvironment() {
        return Map.of("HAPROXY_SOCKET", socket.toString(), "HAPROXY_STATE_FILE", stateFile.toString());
    }

    Daemon daemon() {
        return daemon;
    }

    /** Stops HAProxy and starts it again on the same configuration, port and state file. */
    void restart() throws Exception {
        daemon.close();
        daemon = startDaemon();
    }

    private Daemon startDaemon() throws IOException {
        // -db: in the foreground, no daemon; the pid is the test's child
        return Daemon.start(List.of(executable.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString()),
                dir.resolve("haproxy.out"));
    }

    /**
     * examples/haproxy/haproxy.cfg with what needs root (log socket, chroot, user, daemon) left out, and its
     * socket, state file, port and the colours' ports moved to the test's.
     */
    private String shippedConfig(String blue, String green) throws IOException {
        String config = Files.readString(Path.of("examples/haproxy/haproxy.cfg"));
        for (String rootOnly : List.of("    log /dev/log local0\n", "    chroot /var/lib/haproxy\n",
                "    user haproxy\n", "    group haproxy\n", "    daemon\n")) {
            config = replaceOnce(config, rootOnly, "");
        }
        config = replaceOnce(config, "/run/haproxy/admin.sock", socket.toString());
        config = replaceOnce(config, "/var/lib/haproxy/server-state", stateFile.toString());
        config = replaceOnce(config, "bind :80", "bind 127.0.0.1:" + port);
        config = replaceOnce(config, "127.0.0.1:8081", blue);
        return replaceOnce(config, "127.0.0.1:8082", green);
    }

    /** One runtime API command on the admin socket; HAProxy's answer. */
    String api(String command) throws IOException, InterruptedException {
        Process socat = new ProcessBuilder("socat", "-t", "5", "stdio", "UNIX-CONNECT:" + socket).start();
        socat.getOutputStream().write((command + "\n").getBytes());
        socat.getOutputStream().close();
        String answer = new String(socat.getInputStream().readAllBytes());
        assertThat(socat.waitFor()).as("socat " + command).isZero();
        return answer;
    }

    long pid() throws IOException, InterruptedException {
        return api("show info").lines().filter(l -> l.startsWith("Pid: ")).map(l -> Long.parseLong(l.substring(5)))
                .findFirst().orElseThrow();
    }

    /** Each server of backend app with its admin state (ready, drain, maint). */
    Map<String, String> servers() throws IOException, InterruptedException {
        Map<String, String> states = new HashMap<>();
        serverRows().forEach(f -> states.put(f[3], adminState(Integer.parseInt(f[6]))));
        return states;
    }

    /** Each server of backend app with what a switch may change: admin state, operational state, address, port. */
    Map<String, String> snapshot() throws IOException, InterruptedException {
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

    @Override
    public void close() throws InterruptedException {
        if (daemon != null) daemon.close();
    }
}
