package dev.greenlight.ssh;

import java.time.Duration;
import java.util.List;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.random.JceRandom;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on remote hosts over SSH, keeping one authenticated session per {@link SshTarget} so that
 * the commands of a deployment do not each pay for a new connection and handshake.
 *
 * <p>Authentication is by public key only (the target's key file); passwords and keyboard-interactive are
 * never offered. Host keys are always checked against the target's known_hosts file; there is no way to
 * turn that off.
 *
 * <p>Thread-safe. Commands for different targets run in parallel; commands for the same target share its
 * session as separate channels (servers cap channels per connection: OpenSSH's MaxSessions defaults to 10).
 * Sessions idle longer than the idle timeout are closed by a background sweep.
 */
public final class SshSessionPool implements AutoCloseable {

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Each of stdout and stderr keeps at most this many bytes: the end of the output. */
    public static final int OUTPUT_LIMIT_BYTES = 64 * 1024;
    /** Sessions being opened at once by endpoints that name no bound of their own (Kamal's default too). */
    public static final int DEFAULT_MAX_CONCURRENT_STARTS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(SshSessionPool.class);

    private final SshClient client;
    private final SessionOpener opener;
    private final Duration idleTimeout;
    private final Map<SshTarget, TargetSessions> targets = new ConcurrentHashMap<>();
    private final Map<StartBound, StartGate> gates = new ConcurrentHashMap<>();
    private final StartGate defaultGate = new StartGate(DEFAULT_MAX_CONCURRENT_STARTS);
    private final ScheduledExecutorService sweeper;
    // as many as a pre-check opens at once by default, refilled once the handshakes have been over for 2 s
    private final Sntrup761KeyPairs sntrup761Keys = new Sntrup761KeyPairs(DEFAULT_MAX_CONCURRENT_STARTS,
            Duration.ofSeconds(2), JceRandom.getGlobalInstance());
    private final boolean closeWhenRunEnds;
    private volatile boolean closed;

    public SshSessionPool() {
        this(DEFAULT_IDLE_TIMEOUT);
    }

    /**
     * Each target bounds its own handshake ({@link SshTarget#connectTimeout()}). Sessions are closed when the
     * deployment that used them ends ({@link #runEnded}).
     *
     * @param idleTimeout sessions without a command for this long are closed
     */
    public SshSessionPool(Duration idleTimeout) {
        this(idleTimeout, true);
    }

    /**
     * Sessions kept between deployments, like OpenSSH's {@code ControlPersist}: the next deployment within
     * {@code persist} of a host's last command skips the connection and key exchange. Zero closes them at the end of
     * each deployment. Either way the host key was verified when the session was opened, and a changed key or
     * known_hosts file retires the session before the next command.
     */
    public static SshSessionPool persisting(Duration persist) {
        if (persist.isNegative()) throw new IllegalArgumentException("persist must not be negative, got " + persist);
        return persist.isZero() ? new SshSessionPool(DEFAULT_IDLE_TIMEOUT) : new SshSessionPool(persist, false);
    }

    private SshSessionPool(Duration idleTimeout, boolean closeWhenRunEnds) {
        this.closeWhenRunEnds = closeWhenRunEnds;
        this.idleTimeout = requirePositive(idleTimeout, "idleTimeout");
        FileCache<KnownHosts> knownHosts = new FileCache<>(KnownHosts::load);
        this.client = newClient(knownHosts, new KeyExchanges(new Sntrup761Kem(sntrup761Keys)));
        this.opener = new SessionOpener(client, new ClientKeys(), knownHosts::get);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ssh-idle-sweep");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(100, Math.min(idleTimeout.toMillis() / 2, 30_000));
        sweeper.scheduleWithFixedDelay(this::closeIdleSessions, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code command} (interpreted by the remote user's shell) on {@code target}, opening the session
     * first if needed. The command's stdin is empty. A non-zero exit is not an exception: check
     * {@link CommandResult#succeeded()}.
     *
     * @param timeout how long the command may take, counted from its connection attempt when it has to open the
     *                session (the wait for a turn to connect excluded); when exceeded, the remote process is sent
     *                TERM, then KILL after {@link RemoteCommand#KILL_GRACE}, and the result has {@code timedOut} set
     * @throws SshException when the host cannot be reached, trusted or authenticated to, the connection is
     *                      lost while the command runs, or the calling thread is interrupted (the remote
     *                      command is then stopped as on timeout and the interrupt flag is kept)
     */
    public CommandResult exec(SshTarget target, String command, Duration timeout) {
        return exec(target, command, timeout, defaultGate);
    }

    /**
     * The same, opening a session only when {@code gate} gives a turn ({@link #startGate}); the default gate admits
     * {@value #DEFAULT_MAX_CONCURRENT_STARTS} at once.
     */
    CommandResult exec(SshTarget target, String command, Duration timeout, StartGate gate) {
        Objects.requireNonNull(target, "target");
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank");
        }
        long limit = requirePositive(timeout, "timeout").toNanos();
        TargetSessions sessions = sessionsOf(target);
        for (int attempt = 1; ; attempt++) {
            try (TargetSessions.Lease lease = sessions.lease(() -> opener.open(target, gate), idleTimeout,
                    files(target))) {
                try {
                    return new RemoteCommand(lease, target, OUTPUT_LIMIT_BYTES).run(command, lease.sinceNanos() + limit);
                } catch (RemoteCommand.NotStarted e) {
                    lease.retire();
                    if (!lease.reused() || attempt > 1) {
                        throw new SshException("cannot start a command on " + target.address() + ": "
                                + e.getMessage() + describe(e.getCause()), e);
                    }
                    // a session kept from earlier went stale: reconnect once; the command never started
                    LOG.debug("session to {} unusable, reconnecting", target.address());
                }
            }
        }
    }

    /**
     * The gate shared by every endpoint naming {@code group} (an environment) and this bound: at most {@code limit}
     * of their sessions are being opened at any moment.
     */
    StartGate startGate(String group, int limit) {
        return gates.computeIfAbsent(new StartBound(group, limit), bound -> new StartGate(bound.limit()));
    }

    private record StartBound(String group, int limit) {
    }

    /** Connects and authenticates (or finds the session already open): a reachability pre-check. */
    public void check(SshTarget target) {
        Objects.requireNonNull(target, "target");
        sessionsOf(target).lease(() -> opener.open(target, defaultGate), idleTimeout, files(target)).close();
    }

    private static List<FileStamp> files(SshTarget target) {
        return List.of(FileStamp.of(target.keyFile()), FileStamp.of(target.knownHosts()));
    }

    /**
     * A deployment is done with {@code target}: its session is closed (once its running commands are done) unless
     * sessions persist between deployments, when the idle sweep closes it later.
     */
    public void runEnded(SshTarget target) {
        if (closeWhenRunEnds) release(target);
    }

    /** Closes the target's session once its running commands are done; the next command reconnects. */
    public void release(SshTarget target) {
        TargetSessions sessions = targets.get(target);
        if (sessions != null) {
            sessions.release();
        }
    }

    /** Number of sntrup761 key pairs generated ahead and not yet used. */
    int sntrup761KeyPairsReady() {
        return sntrup761Keys.ready();
    }

    /** Number of targets with an open session. */
    int openSessions() {
        return (int) targets.values().stream().filter(TargetSessions::hasOpenSession).count();
    }

    /** Closes every session at once (running commands fail) and the client. */
    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        targets.values().forEach(TargetSessions::closeNow);
        client.stop();
        sntrup761Keys.close();
    }

    private TargetSessions sessionsOf(SshTarget target) {
        if (closed) {
            throw new IllegalStateException("SSH session pool is closed");
        }
        return targets.computeIfAbsent(target, t -> new TargetSessions());
    }

    private void closeIdleSessions() {
        try {
            targets.values().forEach(sessions -> sessions.closeIfIdle(idleTimeout));
        } catch (RuntimeException e) {
            LOG.warn("closing idle SSH sessions failed", e); // keep the sweep scheduled
        }
    }

    private static SshClient newClient(FileCache<KnownHosts> knownHosts, KeyExchanges keyExchanges) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
        // only the target's key file: never keys found in ~/.ssh or hosts rewritten by ~/.ssh/config
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setServerKeyVerifier(new HostKeyVerifier(knownHosts::get));
        client.addSessionListener(new HostKeyPreference(knownHosts::get));
        client.setKeyExchangeFactories(keyExchanges.defaults());
        client.addSessionListener(keyExchanges); // a target's own choice overrides the defaults
        // a silent long-running command is not idleness; the pool closes sessions idle between commands
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        // each command is a few small packets (open, exec, EOF): Nagle would hold them for the peer's ACK
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        // OpenSSH's answers to the login's first two requests would wait up to 40 ms for an acknowledgement
        client.setSessionFactory(new AckingSessionFactory(client));
        client.start();
        return client;
    }

    private static String describe(Throwable cause) {
        return cause == null ? "" : " (" + (cause.getMessage() != null ? cause.getMessage()
                : cause.getClass().getSimpleName()) + ")";
    }

    private static Duration requirePositive(Duration duration, String name) {
        if (duration == null || duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        return duration;
    }
}
