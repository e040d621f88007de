package dev.greenlight.testing;

import com.sun.net.httpserver.HttpServer;
import dev.greenlight.ssh.EmbeddedSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * Simulated deployment hosts. Host {@code i} is a directory, a real SSH server on 127.0.0.(10+i) running real shell
 * commands in that directory, and an HTTP server on the same address (one port shared by all hosts, as apps are)
 * whose answers follow the directory: {@code version} holds the deployed version, a file {@code unhealthy-<version>}
 * makes every path answer 503 while that version runs, {@code fail_<path>-<version>} only that path (e.g.
 * {@code fail_smoke-2.0.0} for {@code /smoke}), {@code unhealthy} every path always; {@code delay_<path>} (e.g.
 * {@code delay_health_db}) holds how many milliseconds that path's answers take, {@code delay_<path>-<version>} only
 * while that version runs.
 * Each host's {@code deploy.sh <version>} is what the tests' deploy command runs; by default it records the version.
 */
public final class TestHosts implements AutoCloseable {
    public static final String DEFAULT_DEPLOY_SCRIPT = "echo \"$1\" > version\necho \"$1\" >> history\n";

    private final Path dir;
    private final List<EmbeddedSshServer> ssh = new ArrayList<>();
    private final List<HttpServer> http = new ArrayList<>();
    private final int httpPort;
    private final Path keyFile;
    private final Path knownHosts;
    private final ConcurrentMap<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private TestHosts(Path dir, int count, UnaryOperator<EmbeddedSshServer.Builder> servers) throws IOException {
        this.dir = dir;
        KeyPair clientKey = EmbeddedSshServer.generateKeyPair(KeyPairProvider.SSH_ED25519);
        httpPort = TestGreenlight.freePort();
        StringBuilder known = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            Path hostDir = Files.createDirectories(dir.resolve("host-" + i));
            Files.writeString(hostDir.resolve("deploy.sh"), DEFAULT_DEPLOY_SCRIPT);
            EmbeddedSshServer server = servers.apply(EmbeddedSshServer.builder().bindHost(address(i)).workDir(hostDir)
                    .clientKey(clientKey)).start();
            ssh.add(server);
            server.hostKeys().forEach(k -> known.append(server.knownHostsLine(k)).append('\n'));
            http.add(startHttp(address(i), hostDir));
        }
        keyFile = EmbeddedSshServer.writePrivateKey(clientKey, dir.resolve("keys/id_ed25519"));
        knownHosts = Files.writeString(dir.resolve("known_hosts"), known.toString());
    }

    public static TestHosts start(Path dir, int count) throws IOException {
        return new TestHosts(dir, count, UnaryOperator.identity());
    }

    /** @param servers adds options to each host's SSH server (a slow login, a handshake meter) */
    public static TestHosts start(Path dir, int count, UnaryOperator<EmbeddedSshServer.Builder> servers)
            throws IOException {
        return new TestHosts(dir, count, servers);
    }

    public static String address(int i) {
        return "127.0.0." + (10 + i);
    }

    private HttpServer startHttp(String address, Path hostDir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, httpPort), 50);
        server.createContext("/", exchange -> {
            requests.computeIfAbsent(address + exchange.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
            String delayFile = "delay" + exchange.getRequestURI().getPath().replace('/', '_');
            String delay = read(hostDir.resolve(delayFile));
            String running = read(hostDir.resolve("version"));
            if (delay == null && running != null) delay = read(hostDir.resolve(delayFile + "-" + running));
            if (delay != null) {
                try {
                    Thread.sleep(Long.parseLong(delay));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String version = read(hostDir.resolve("version"));
            String path = exchange.getRequestURI().getPath();
            boolean healthy = version != null && !Files.exists(hostDir.resolve("unhealthy"))
                    && !Files.exists(hostDir.resolve("unhealthy-" + version))
                    && !Files.exists(hostDir.resolve("fail" + path.replace('/', '_') + "-" + version));
            byte[] body = ("{\"version\":\"" + version + "\",\"status\":\"" + (healthy ? "ok" : "failing") + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(healthy ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return server;
    }

    /** The {@code hosts:} list for greenlight.yaml. */
    public List<String> hostList() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ssh.size(); i++) out.add(ssh.get(i).host() + ":" + ssh.get(i).port());
        return out;
    }

    /** Connecting to an embedded server takes milliseconds; a short bound keeps tests of hung hosts short. */
    public static final String CONNECT_TIMEOUT = "3s";

    /** The {@code ssh:} block for greenlight.yaml. */
    public String sshYaml() {
        return sshYaml("");
    }

    /** The same, with more settings, e.g. {@code "max-concurrent-starts: 2"}. */
    public String sshYaml(String extra) {
        return "{ user: deploy, key-file: " + keyFile + ", known-hosts: " + knownHosts + ", connect-timeout: "
                + CONNECT_TIMEOUT + (extra.isEmpty() ? "" : ", " + extra) + " }";
    }

    public int httpPort() {
        return httpPort;
    }

    public Path keyFile() {
        return keyFile;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public Path hostDir(int i) {
        return dir.resolve("host-" + i);
    }

    public EmbeddedSshServer ssh(int i) {
        return ssh.get(i - 1);
    }

    public String version(int i) {
        return read(hostDir(i).resolve("version"));
    }

    /** Every version ever deployed to host {@code i}, in order. */
    public List<String> history(int i) {
        String h = read(hostDir(i).resolve("history"));
        return h == null ? List.of() : List.of(h.split("\n"));
    }

    public void setVersion(int i, String version) {
        write(hostDir(i).resolve("version"), version + "\n");
        write(hostDir(i).resolve("history"), version + "\n");
    }

    public void unhealthyWhileRunning(int i, String version) {
        write(hostDir(i).resolve("unhealthy-" + version), "");
    }

    public void failPathWhileRunning(int i, String path, String version) {
        write(hostDir(i).resolve("fail" + path.replace('/', '_') + "-" + version), "");
    }

    public void deployScript(int i, String script) {
        write(hostDir(i).resolve("deploy.sh"), script);
    }

    public int requests(int i, String path) {
        AtomicInteger n = requests.get(address(i) + path);
        return n == null ? 0 : n.get();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        http.forEach(s -> s.stop(0));
        for (EmbeddedSshServer s : ssh) s.close();
    }
}
