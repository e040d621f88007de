package dev.greenlight.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Hosts served by a real OpenSSH server (Debian's {@code openssh-server}): one {@code sshd} of the test's own on a
 * free port, listening on loopback addresses 127.0.0.11 onwards, one per host, with an ed25519 host key and
 * authorized key made by {@code ssh-keygen}, public-key login only, as the unprivileged account {@value #ACCOUNT}
 * (created when missing; sshd must run as root to log another account in). Each host has a directory of its own
 * under the test's directory, owned by that account: commands start in the account's home, so they {@code cd}
 * there ({@link #hostDir}, or {@code {{host}}} in the path, {@link #commandDir}).
 *
 * <p>Without sshd, or not running as root, the test is skipped naming what is missing; with {@code CI=true} it fails
 * instead, so CI never passes by skipping.
 */
public final class OpenSshHosts implements AutoCloseable {
    public static final String ACCOUNT = "greenlight-e2e";
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();

    private final Path dir;
    private final Path sshd;
    private final int count;
    private final int port;
    private final Path config;
    private final Path keyFile;
    private final Path knownHosts;
    private Process server;

    private OpenSshHosts(Path dir, Path sshd, int count) throws IOException, InterruptedException {
        this.dir = dir;
        this.sshd = sshd;
        this.count = count;
        this.port = TestGreenlight.freePort();
        Files.createDirectories(dir.resolve("ssh"));
        Files.createDirectories(dir.resolve("hosts"));
        this.keyFile = dir.resolve("ssh/deploy_ed25519");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "greenlight-e2e-deploy", "-f", keyFile.toString());
        Files.copy(dir.resolve("ssh/deploy_ed25519.pub"), dir.resolve("ssh/authorized_keys"));
        for (int i = 1; i <= count; i++) Files.createDirectories(hostDir(i));
        this.config = dir.resolve("ssh/sshd_config");
        this.knownHosts = dir.resolve("ssh/known_hosts");
        newHostKey();
        writeConfig();
        // the account reaches its host directories and authorized_keys (sshd reads it as the account) through the
        // test's directories, which JUnit makes private; only the host directories become the account's
        for (Path p = dir; p != null && p.startsWith(TMP) && !p.equals(TMP); p = p.getParent()) run("chmod", "o+x", p.toString());
        run("chmod", "755", dir.resolve("ssh").toString(), dir.resolve("hosts").toString());
        run("chown", "-R", ACCOUNT, dir.resolve("hosts").toString());
        start();
    }

    /** Starts sshd for {@code count} hosts under {@code dir}; skips (or fails on CI) when it cannot. */
    public static OpenSshHosts start(Path dir, int count) throws IOException, InterruptedException {
        Path sshd = RequiredPackage.require("sshd", "openssh-server");
        RequiredPackage.require("ssh-keygen", "openssh-client");
        if (!"root".equals(System.getProperty("user.name"))) {
            String message = "OpenSSH tests start sshd, which must run as root to log in the account " + ACCOUNT;
            if ("true".equals(System.getenv("CI"))) fail(message + ", and CI=true: run CI as root");
            Assumptions.abort(message);
        }
        ensureAccount();
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        return new OpenSshHosts(dir, sshd, count);
    }

    public static String address(int i) {
        return TestHosts.address(i);
    }

    /** The {@code hosts:} list for greenlight.yaml. */
    public List<String> hostList() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) out.add(address(i) + ":" + port);
        return out;
    }

    /** The {@code ssh:} block for greenlight.yaml. */
    public String sshYaml() {
        return "{ user: " + ACCOUNT + ", key-file: " + keyFile + ", known-hosts: " + knownHosts
                + ", connect-timeout: 20s }";
    }

    public Path hostDir(int i) {
        return dir.resolve("hosts").resolve(address(i));
    }

    /** A directory in host {@code i}'s directory that the account owns (for its dumps, say). */
    public Path accountDir(int i, String name) throws IOException, InterruptedException {
        Path d = Files.createDirectories(hostDir(i).resolve(name));
        run("chown", ACCOUNT, d.toString());
        return d;
    }

    /** The host directories as a command names them: {@code cd <this>/{{host}}}. */
    public Path commandDir() {
        return dir.resolve("hosts");
    }

    /**
     * Gives the server a new host key, as a reinstalled or impersonated host would have; known_hosts keeps the old.
     * The connections of the old server go with it (a reinstalled machine keeps none, and an impersonator never had
     * them): sshd's per-connection processes outlive its listener, so they are ended first.
     */
    public void changeHostKey() throws IOException, InterruptedException {
        if (server != null) server.descendants().forEach(ProcessHandle::destroyForcibly);
        stopServer();
        Files.delete(dir.resolve("ssh/host_ed25519"));
        Files.delete(dir.resolve("ssh/host_ed25519.pub"));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "greenlight-e2e-host", "-f",
                dir.resolve("ssh/host_ed25519").toString());
        start();
    }

    private void newHostKey() throws IOException, InterruptedException {
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "greenlight-e2e-host", "-f",
                dir.resolve("ssh/host_ed25519").toString());
        String key = Files.readString(dir.resolve("ssh/host_ed25519.pub")).trim().replaceAll("\\s+\\S+$", "");
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= count; i++) lines.append('[').append(address(i)).append("]:").append(port).append(' ')
                .append(key).append('\n');
        Files.writeString(knownHosts, lines.toString());
    }

    private void writeConfig() throws IOException {
        StringBuilder c = new StringBuilder("# sshd of a Greenlight test: loopback only, public keys only\n");
        for (int i = 1; i <= count; i++) c.append("ListenAddress ").append(address(i)).append(':').append(port).append('\n');
        c.append("HostKey ").append(dir.resolve("ssh/host_ed25519")).append('\n')
                .append("PidFile ").append(dir.resolve("ssh/sshd.pid")).append('\n')
                .append("AuthorizedKeysFile ").append(dir.resolve("ssh/authorized_keys")).append('\n')
                .append("""
                        AllowUsers %s
                        PermitRootLogin no
                        PubkeyAuthentication yes
                        PasswordAuthentication no
                        KbdInteractiveAuthentication no
                        UsePAM no
                        StrictModes no
                        UseDNS no
                        PrintMotd no
                        MaxStartups 100:30:200
                        MaxSessions 50
                        """.formatted(ACCOUNT));
        Files.writeString(config, c.toString());
        Files.setPosixFilePermissions(dir.resolve("ssh/authorized_keys"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    private void start() throws IOException, InterruptedException {
        server = new ProcessBuilder(sshd.toString(), "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("ssh/sshd.log").toFile())).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        for (int i = 1; i <= count; i++) {
            while (!accepts(address(i))) {
                if (!server.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("ssh/sshd.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    private boolean accepts(String address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void stopServer() throws InterruptedException {
        if (server == null) return;
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        server = null;
    }

    private static void ensureAccount() throws IOException, InterruptedException {
        if (new ProcessBuilder("id", ACCOUNT).start().waitFor() != 0) {
            run("useradd", "--create-home", "--shell", "/bin/bash", ACCOUNT);
        }
        // no password at all ('*') rather than a locked one ('!'): without PAM, sshd refuses locked accounts
        run("usermod", "-p", "*", ACCOUNT);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopServer();
    }
}
