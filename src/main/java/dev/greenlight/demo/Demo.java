package dev.greenlight.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Everything the demo runs on, in a fresh directory of its own: the two demo hosts, a generated API token in a file
 * readable by its owner only, the demo configuration written for those hosts, and an embedded H2 database. Nothing
 * of it is kept: the directory is removed when the demo stops (a killed process leaves it behind in the system's
 * temporary directory).
 */
public final class Demo implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final DemoHosts hosts;
    private final String token;
    private final Path config;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Demo(Path dir, DemoHosts hosts, String token, Path config) {
        this.dir = dir;
        this.hosts = hosts;
        this.token = token;
        this.config = config;
    }

    public static Demo prepare() throws IOException {
        Path dir = Files.createTempDirectory("greenlight-demo-");
        DemoHosts hosts = null;
        try {
            hosts = DemoHosts.start(dir);
            String token = newToken();
            Path tokenFile = secretFile(dir.resolve("token"), token);
            Path config = Files.writeString(dir.resolve("greenlight.yaml"), configuration(hosts, tokenFile));
            return new Demo(dir, hosts, token, config);
        } catch (IOException | RuntimeException e) {
            if (hosts != null) hosts.close();
            delete(dir);
            throw e;
        }
    }

    /**
     * The settings the demo runs with, over any other: its configuration and database, and every server on
     * loopback only, whatever the environment or application.properties say.
     */
    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(LaunchMode.SETTING, config.toString());
        out.put("greenlight.db.url", Database.EMBEDDED_URL.replace("./data/", dir.resolve("data") + "/"));
        out.put("greenlight.db.user", "sa");
        out.put("camel.server.host", "127.0.0.1");
        out.put("camel.management.host", "127.0.0.1");
        return out;
    }

    public Path directory() {
        return dir;
    }

    public String token() {
        return token;
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "demo-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Path secretFile(Path file, String value) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, value + "\n");
    }

    /** The shipped demo configuration with this demo's hosts, ports and files (paths as YAML quoted strings). */
    private static String configuration(DemoHosts hosts, Path tokenFile) throws IOException {
        String template;
        try (InputStream in = Demo.class.getResourceAsStream("greenlight-demo.yaml")) {
            if (in == null) throw new IOException("greenlight-demo.yaml is missing from the jar");
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        DemoHosts.Ports ports = hosts.ports();
        return template.replace("@TOKEN_FILE@", quoted(tokenFile.toString()))
                .replace("@HOSTS@", String.join(", ", hosts.hostList()))
                .replace("@KEY_FILE@", quoted(hosts.keyFile().toString()))
                .replace("@KNOWN_HOSTS@", quoted(hosts.knownHosts().toString()))
                .replace("@STAGING_PORT@", Integer.toString(ports.staging()))
                .replace("@BLUE_PORT@", Integer.toString(ports.blue()))
                .replace("@GREEN_PORT@", Integer.toString(ports.green()))
                .replace("@LIVE_PORT@", Integer.toString(ports.live()));
    }

    /** A JSON string is a YAML double-quoted scalar: any path stays one value. */
    private static String quoted(String text) throws IOException {
        return JSON.writeValueAsString(text);
    }

    /** Stops the hosts and the apps they run and removes the directory; once, whoever calls it first. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        hosts.close();
        delete(dir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the demo's directory " + dir, e);
        }
    }
}
