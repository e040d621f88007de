package dev.greenlight.ssh;

import dev.greenlight.demo.ShellCommand;
import dev.greenlight.demo.SshKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.ReservedSessionMessagesHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.slf4j.LoggerFactory;

/**
 * A real SSH server on 127.0.0.1 (random free port) for tests: each exec request runs as
 * {@code /bin/sh -c <command>} in the server's working directory, as a real process.
 *
 * <p>Typical use, one server per simulated host:
 * <pre>{@code
 * try (EmbeddedSshServer host = EmbeddedSshServer.start(hostDir)) {
 *     SshTarget target = host.target(clientDir);   // writes id_ed25519 and known_hosts into clientDir
 *     pool.exec(target, "docker compose up -d", Duration.ofSeconds(30));
 * }
 * }</pre>
 * Several servers (one environment's hosts) can share one key file and one known_hosts file, as in
 * Greenlight's configuration: generate the client key once with {@link #generateKeyPair(String)}, pass it to
 * each {@link Builder#clientKey(KeyPair)}, write it once with {@link #writeClientKey(Path)}, write
 * {@link #writeKnownHosts(Path, EmbeddedSshServer...)} and use {@link #target(Path, Path)}.
 *
 * <p>Behaves like OpenSSH where it matters to callers: only the one authorized client key is accepted;
 * closing the channel or connection does not stop a running command (its output pipes are closed, so it
 * dies only when it writes); an SSH {@code signal} request (TERM, KILL, INT, HUP, QUIT) is delivered to
 * the command and all its descendants. Password attempts are counted and refused, unless
 * {@link Builder#acceptAnyPassword()} makes the server accept any password (to prove a client never sends
 * one). {@link #close()} kills commands still running.
 */
public final class EmbeddedSshServer implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    /** User name used by {@link #target(Path)}; the server accepts any user name with the right key. */
    public static final String USER = "deploy";

    static {
        // MINA SSHD logs every packet at DEBUG: keep test output readable unless a logback config decides
        if (LoggerFactory.getLogger("org.apache.sshd") instanceof ch.qos.logback.classic.Logger sshd
                && sshd.getLevel() == null) {
            sshd.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    /** Options for a server; {@link #workDir(Path)} is required. */
    public static final class Builder {
        private Path workDir;
        private KeyPair clientKey;
        private final List<KeyPair> hostKeys = new ArrayList<>();
        private boolean acceptAnyPassword;
        private String bindHost = HOST;
        private List<String> keyExchanges = List.of();
        private HandshakeMeter handshakes;
        private Duration authenticationDelay = Duration.ZERO;

        private Builder() {
        }

        /** Counts this server's handshakes in flight (share one meter between servers to count across them). */
        public Builder handshakes(HandshakeMeter meter) {
            this.handshakes = meter;
            return this;
        }

        /** Each authentication takes this long, like a busy host whose login is slow. */
        public Builder authenticationDelay(Duration delay) {
            this.authenticationDelay = delay;
            return this;
        }

        /** Loopback address to listen on (127.0.0.x), so that several test hosts can share port numbers. */
        public Builder bindHost(String address) {
            this.bindHost = address;
            return this;
        }

        /** Directory commands run in (created if missing). */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** The only client key the server accepts; generated (ed25519) if not given. */
        public Builder clientKey(KeyPair key) {
            this.clientKey = key;
            return this;
        }

        /** Adds a host key; call several times for a server with several keys. Default: one new ed25519 key. */
        public Builder hostKey(KeyPair key) {
            this.hostKeys.add(key);
            return this;
        }

        /** Offer only these key exchange algorithms, as an older or hardened sshd would. Default: all. */
        public Builder keyExchanges(String... names) {
            this.keyExchanges = List.of(names);
            return this;
        }

        /** Accept any password (still counted): lets a test prove the client never offers one. */
        public Builder acceptAnyPassword() {
            this.acceptAnyPassword = true;
            return this;
        }

        public EmbeddedSshServer start() throws IOException {
            if (workDir == null) {
                throw new IllegalStateException("workDir is required");
            }
            Files.createDirectories(workDir);
            KeyPair client = clientKey != null ? clientKey : generateKeyPair(KeyPairProvider.SSH_ED25519);
            List<KeyPair> host = hostKeys.isEmpty() ? List.of(generateKeyPair(KeyPairProvider.SSH_ED25519))
                    : List.copyOf(hostKeys);
            return new EmbeddedSshServer(bindHost, workDir, client, host, acceptAnyPassword, keyExchanges, handshakes,
                    authenticationDelay);
        }
    }

    private final SshServer server;
    private final String bindHost;
    private final Path workDir;
    private final KeyPair clientKey;
    private final List<KeyPair> hostKeys;
    private final AtomicInteger sessionsOpened = new AtomicInteger();
    private final AtomicInteger sessionsClosed = new AtomicInteger();
    private final AtomicInteger passwordAttempts = new AtomicInteger();
    private final AtomicInteger ignoredBeforeLogin = new AtomicInteger();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> negotiatedKeyExchanges = new CopyOnWriteArrayList<>();
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final Set<Session> handshaking = ConcurrentHashMap.newKeySet();
    private volatile String everyCommand;
    private volatile boolean refusing;
    private volatile Predicate<String> goesDownOn;
    /** The client key logins are accepted with: the builder's, until {@link #acceptOnly} replaces it. */
    private final java.util.concurrent.atomic.AtomicReference<PublicKey> acceptedKey;

    private EmbeddedSshServer(String bindHost, Path workDir, KeyPair clientKey, List<KeyPair> hostKeys,
                              boolean acceptAnyPassword, List<String> keyExchanges, HandshakeMeter handshakes,
                              Duration authenticationDelay) throws IOException {
        this.bindHost = bindHost;
        this.workDir = workDir;
        this.clientKey = clientKey;
        this.acceptedKey = new java.util.concurrent.atomic.AtomicReference<>(clientKey.getPublic());
        this.hostKeys = hostKeys;
        server = SshServer.setUpDefaultServer();
        server.setHost(bindHost);
        server.setPort(0);
        CoreModuleProperties.TCP_NODELAY.set(server, true); // small packets go out at once: fast tests
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKeys));
        if (!keyExchanges.isEmpty()) {
            server.setKeyExchangeFactories(server.getKeyExchangeFactories().stream()
                    .filter(f -> keyExchanges.contains(f.getName())).toList());
        }
        server.setPublickeyAuthenticator((user, key, session) -> {
            if (!authenticationDelay.isZero()) {
                try {
                    Thread.sleep(authenticationDelay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return KeyUtils.compareKeys(acceptedKey.get(), key);
        });
        server.setPasswordAuthenticator((user, password, session) -> {
            passwordAttempts.incrementAndGet();
            return acceptAnyPassword;
        });
        server.setReservedSessionMessagesHandler(new ReservedSessionMessagesHandler() {
            @Override
            public void handleIgnoreMessage(Session session, Buffer buffer) {
                if (!session.isAuthenticated()) {
                    ignoredBeforeLogin.incrementAndGet();
                }
            }
        });
        server.setCommandFactory((channel, command) -> {
            commands.add(command);
            Predicate<String> down = goesDownOn;
            if (down != null && down.test(command)) {
                goDown();
                return new ShellCommand("exec sleep 10", workDir, running); // never answers: the connection drops first
            }
            return new ShellCommand(everyCommand != null ? everyCommand : command, workDir, running);
        });
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                sessionsOpened.incrementAndGet();
                if (refusing) {
                    session.close(true);
                    return;
                }
                if (handshakes != null) {
                    handshaking.add(session);
                    handshakes.started();
                }
            }

            @Override
            public void sessionClosed(Session session) {
                sessionsClosed.incrementAndGet();
                handshakeEnded(session);
            }

            @Override
            public void sessionEvent(Session session, Event event) {
                if (event == Event.KeyEstablished) {
                    negotiatedKeyExchanges.add(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
                }
                if (event == Event.Authenticated) {
                    handshakeEnded(session);
                }
            }

            private void handshakeEnded(Session session) {
                if (handshakes != null && handshaking.remove(session)) {
                    handshakes.ended();
                }
            }
        });
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A server running commands in {@code workDir}, with a new ed25519 host key and client key. */
    public static EmbeddedSshServer start(Path workDir) throws IOException {
        return builder().workDir(workDir).start();
    }

    /** A new key pair: {@code "ssh-ed25519"} or {@code "ssh-rsa"} (3072 bits). */
    public static KeyPair generateKeyPair(String type) {
        return SshKeys.generate(type);
    }

    public String host() {
        return bindHost;
    }

    public int port() {
        return server.getPort();
    }

    public Path workDir() {
        return workDir;
    }

    /** The client key pair the server accepts. */
    public KeyPair clientKey() {
        return clientKey;
    }

    /** The server's host keys, first one first. */
    public List<PublicKey> hostKeys() {
        return hostKeys.stream().map(KeyPair::getPublic).toList();
    }

    /** The known_hosts line for one host key, as OpenSSH writes it for a non-22 port. */
    public String knownHostsLine(PublicKey hostKey) {
        return SshKeys.knownHostsLine(bindHost, port(), hostKey);
    }

    /** Writes a known_hosts file listing all host keys of this server; returns {@code file}. */
    public Path writeKnownHosts(Path file) throws IOException {
        return writeKnownHosts(file, this);
    }

    /** Writes one known_hosts file listing every host key of several servers (one environment's hosts). */
    public static Path writeKnownHosts(Path file, EmbeddedSshServer... servers) throws IOException {
        String lines = Stream.of(servers)
                .flatMap(server -> server.hostKeys().stream().map(server::knownHostsLine))
                .collect(Collectors.joining("\n", "", "\n"));
        return Files.writeString(file, lines, StandardCharsets.UTF_8);
    }

    /** Writes the accepted client key in OpenSSH format (unencrypted, mode 600) into {@code dir}; returns it. */
    public Path writeClientKey(Path dir) throws IOException {
        return writePrivateKey(clientKey, dir.resolve(KeyPairProvider.SSH_RSA.equals(KeyUtils.getKeyType(clientKey))
                ? "id_rsa" : "id_ed25519"));
    }

    /** Writes any key pair in OpenSSH format (unencrypted, mode 600); returns {@code file}. */
    public static Path writePrivateKey(KeyPair key, Path file) throws IOException {
        return SshKeys.writePrivateKey(key, "greenlight-test", file);
    }

    /** Writes the client key and known_hosts into {@code dir} and returns a target for this server. */
    public SshTarget target(Path dir) throws IOException {
        Files.createDirectories(dir);
        return target(writeClientKey(dir), writeKnownHosts(dir.resolve("known_hosts")));
    }

    /** A target for this server using existing files, e.g. a key and known_hosts shared by several servers. */
    public SshTarget target(Path keyFile, Path knownHosts) {
        return new SshTarget(bindHost, port(), USER, keyFile, knownHosts);
    }

    /** SSH sessions (connections) the server has accepted so far. */
    /** From now on only {@code key} logs in, as after replacing the line in authorized_keys; sessions open stay. */
    public void acceptOnly(PublicKey key) {
        acceptedKey.set(key);
    }

    public int sessionsOpened() {
        return sessionsOpened.get();
    }

    public int sessionsClosed() {
        return sessionsClosed.get();
    }

    /** Password and keyboard-interactive attempts received, accepted or not. */
    public int passwordAttempts() {
        return passwordAttempts.get();
    }

    /** {@code SSH_MSG_IGNORE} messages received on connections not yet authenticated. */
    public int ignoreMessagesBeforeLogin() {
        return ignoredBeforeLogin.get();
    }

    /** The key exchange algorithm each connection agreed on, in order. */
    public List<String> negotiatedKeyExchanges() {
        return List.copyOf(negotiatedKeyExchanges);
    }

    /** Every command requested so far, in order. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** From now on the account's shell is nologin: authentication succeeds, every command fails. */
    public void noLoginShell() {
        everyCommand = "echo 'This account is currently not available.'; exit 1";
    }

    /** From now on every command hangs after login, as behind a stuck home directory or shell start-up file. */
    public void hangAfterLogin() {
        everyCommand = "exec sleep 30"; // exec: no shell left to print "Terminated" when the timeout kills it
    }

    /** Commands run as requested again (after {@link #noLoginShell()} or {@link #hangAfterLogin()}). */
    public void normalShell() {
        everyCommand = null;
    }

    /**
     * From now on the host is unreachable: open connections are dropped and new ones closed before the key exchange,
     * until {@link #reachable()}.
     */
    public void refuseConnections() {
        refusing = true;
        dropConnections();
    }

    /**
     * The host becomes unreachable ({@link #refuseConnections()}) when a command matching {@code command} arrives,
     * which is then never run: the network goes away at that step.
     */
    public void goesDownOn(Predicate<String> command) {
        goesDownOn = command;
    }

    /** Connections are accepted again, and no command takes the host down any more. */
    public void reachable() {
        goesDownOn = null;
        refusing = false;
    }

    private void goDown() {
        refusing = true;
        // not on the session's own thread, which is the one handling this command
        Thread dropping = new Thread(this::dropConnections, "ssh-host-goes-down");
        dropping.setDaemon(true);
        dropping.start();
    }

    /** Drops every open connection at once, as a network failure or server restart would. */
    public void dropConnections() {
        server.getActiveSessions().forEach(session -> session.close(true));
    }

    @Override
    public void close() throws IOException {
        ShellCommand.stopServer(server, running);
    }
}
