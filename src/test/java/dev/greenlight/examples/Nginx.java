package dev.greenlight.examples;

import static dev.greenlight.examples.NginxSwitchTest.replaceOnce;

import dev.greenlight.testing.RequiredPackage;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real nginx started as the current user in a temporary prefix (its own pid file, error log and free loopback
 * port) with the shipped {@code examples/nginx/greenlight.conf} in its http block, its upstream include in the
 * prefix, and one more include ({@link #extra}) standing for another site's configuration. Skips (or, with
 * {@code CI=true}, fails) the test when nginx is not installed.
 */
final class Nginx implements AutoCloseable {
    final int port;
    final Path upstream;
    final Path extra;
    private final Path executable;
    private final Path dir;
    private Daemon daemon;

    private Nginx(Path executable, Path dir, int port) {
        this.executable = executable;
        this.dir = dir;
        this.port = port;
        this.upstream = dir.resolve("greenlight/upstream.conf");
        this.extra = dir.resolve("extra.conf");
    }

    /** @param livePort the port of the colour the upstream names at first */
    static Nginx start(Path dir, int livePort) throws IOException {
        return start(dir, livePort, null);
    }

    /**
     * The same nginx run as {@code account} (its prefix handed to it), as a switch run over SSH by that account needs:
     * it rewrites the upstream include and signals the master.
     */
    static Nginx startAs(String account, Path dir, int livePort) throws IOException {
        return start(dir, livePort, account);
    }

    private static Nginx start(Path dir, int livePort, String account) throws IOException {
        Nginx nginx = new Nginx(RequiredPackage.require("nginx", "nginx"), dir, TestGreenlight.freePort());
        Files.createDirectories(nginx.upstream.getParent());
        Files.writeString(nginx.upstream, "server 127.0.0.1:" + livePort + ";\n");
        Files.writeString(nginx.extra, "# another site's configuration\n");
        Files.writeString(dir.resolve("greenlight.conf"), nginx.shippedSnippet());
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
        List<String> runAs = List.of();
        if (account != null) {
            Daemon.run(List.of("chown", "-R", account, dir.toString()));
            runAs = List.of("setpriv", "--reuid=" + account, "--regid=" + account, "--init-groups", "--");
        }
        nginx.daemon = Daemon.start(Stream.of(runAs, nginx.command(), List.of("-g", "daemon off;"))
                .flatMap(List::stream).toList(), dir.resolve("nginx.out"));
        return nginx;
    }

    /** nginx with this prefix, configuration and error log; the switch script's {@code NGINX}. */
    List<String> command() {
        return List.of(executable.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("error.log").toString());
    }

    /** What the switch script needs to find this nginx: its command, its pid file and the upstream include. */
    Map<String, String> switchEnvironment() {
        return Map.of("NGINX", String.join(" ", command()), "NGINX_PID", dir.resolve("nginx.pid").toString(),
                "GREENLIGHT_UPSTREAM", upstream.toString());
    }

    Path errorLog() {
        return dir.resolve("error.log");
    }

    Daemon daemon() {
        return daemon;
    }

    /** The nginx master's workers: a reload replaces them. */
    List<Long> workers() {
        List<Long> pids = new ArrayList<>(ProcessHandle.of(daemon.pid()).orElseThrow().children()
                .map(ProcessHandle::pid).toList());
        Collections.sort(pids);
        return pids;
    }

    /** examples/nginx/greenlight.conf with its listen address and include path moved into the test's directory. */
    private String shippedSnippet() throws IOException {
        String shipped = Files.readString(Path.of("examples/nginx/greenlight.conf"));
        return replaceOnce(replaceOnce(shipped, "listen 80;", "listen 127.0.0.1:" + port + ";"),
                "include /etc/nginx/greenlight/upstream.conf;", "include " + upstream + ";");
    }

    @Override
    public void close() throws InterruptedException {
        if (daemon != null) daemon.close();
    }
}
