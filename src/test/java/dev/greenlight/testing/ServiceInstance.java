package dev.greenlight.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Greenlight service process as an operator runs it (a {@link ChildGreenlight}) on free ports of 127.0.0.1,
 * returned once its health endpoint answers. A free port can be taken by another process between the look-up and the
 * service's bind: a start refused for that reason is tried again on other ports.
 */
public final class ServiceInstance implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** A loaded machine takes tens of seconds to start a JVM with Camel. */
    private static final long START_TIMEOUT_SECONDS = 180;

    private final ChildGreenlight process;
    private final int port;
    private final long startMillis;

    private ServiceInstance(ChildGreenlight process, int port, long startMillis) {
        this.process = process;
        this.port = port;
        this.startMillis = startMillis;
    }

    /**
     * @param env        the process environment (secrets, tokens, the database)
     * @param properties {@code -D} settings on top of the ports
     */
    public static ServiceInstance start(Path workingDirectory, Map<String, String> env, Map<String, String> properties)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long starting = System.nanoTime();
            int port = TestGreenlight.freePort();
            int management = TestGreenlight.freePort();
            List<String> options = new ArrayList<>(List.of(
                    // a short-lived JVM: C1 only and the serial collector start it faster
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Dcamel.server.host=127.0.0.1", "-Dcamel.server.port=" + port,
                    "-Dcamel.management.host=127.0.0.1", "-Dcamel.management.port=" + management));
            properties.forEach((k, v) -> options.add("-D" + k + "=" + v));
            ChildGreenlight child = ChildGreenlight.start(workingDirectory, env, options);
            if (awaitHealthy(child, management)) {
                return new ServiceInstance(child, port,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - starting));
            }
            child.kill();
            if (attempt == 3 || !(child.stdout() + child.stderr()).contains("is not available")) {
                throw new AssertionError("the service did not become healthy; stdout:\n" + child.stdout()
                        + "\nstderr:\n" + child.stderr());
            }
        }
    }

    private static boolean awaitHealthy(ChildGreenlight child, int management) throws InterruptedException {
        URI health = URI.create("http://127.0.0.1:" + management + "/observe/health");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline && child.isAlive()) {
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return true;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return false;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** How long the start took, from launching the JVM to a healthy answer. */
    public long startMillis() {
        return startMillis;
    }

    public ChildGreenlight process() {
        return process;
    }

    /** SIGKILL. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** SIGTERM, as an operator stops it. */
    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
