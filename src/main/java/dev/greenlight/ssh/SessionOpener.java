package dev.greenlight.ssh;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.future.WaitableFuture;

/**
 * Connects and authenticates one session, within a time limit, and turns MINA SSHD's failures into
 * {@link SshException}s that say which step failed and why.
 */
final class SessionOpener {

    private final SshClient client;
    private final ClientKeys clientKeys;
    private final Function<Path, KnownHosts> knownHosts;

    SessionOpener(SshClient client, ClientKeys clientKeys, Function<Path, KnownHosts> knownHosts) {
        this.client = client;
        this.clientKeys = clientKeys;
        this.knownHosts = knownHosts;
    }

    /** A session and when the attempt to open it started (a {@link System#nanoTime()} value). */
    record Opened(ClientSession session, long startedNanos) {
    }

    /**
     * An authenticated session to {@code target}, opened when {@code gate} gives a turn; the whole handshake is
     * bounded by its connect timeout, counted from then.
     */
    Opened open(SshTarget target, StartGate gate) {
        // local problems are reported before any network traffic
        List<KeyPair> keys = clientKeys.get(target.keyFile());
        knownHosts.apply(target.knownHosts());

        gate.enter(target);
        try {
            long started = System.nanoTime();
            long deadline = started + target.connectTimeout().toNanos();
            ConnectAttempt attempt = new ConnectAttempt(target);
            ClientSession session = connect(attempt);
            boolean authenticated = false;
            try {
                keys.forEach(session::addPublicKeyIdentity);
                authenticate(session, attempt, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                authenticated = true;
                return new Opened(session, started);
            } finally {
                if (!authenticated) {
                    session.close(true);
                }
            }
        } finally {
            gate.leave();
        }
    }

    private ClientSession connect(ConnectAttempt attempt) {
        SshTarget target = attempt.target();
        String failure = "cannot connect to " + target.address();
        Duration connectTimeout = target.connectTimeout();
        ConnectFuture future;
        try {
            future = client.connect(target.user(), target.host(), target.port(), attempt.asContext(), null);
        } catch (IOException | RuntimeException e) {
            throw failure(attempt, failure, e);
        }
        if (!await(future, connectTimeout, failure)) {
            future.cancel();
            // a connection completing after the cancel must not leak
            future.addListener(f -> {
                if (f.isConnected()) {
                    f.getSession().close(true);
                }
            });
            throw new SshException(failure + ": timed out after " + seconds(connectTimeout));
        }
        if (!future.isConnected()) {
            throw failure(attempt, failure, future.getException());
        }
        return future.getSession();
    }

    private void authenticate(ClientSession session, ConnectAttempt attempt, Duration timeout) {
        SshTarget target = attempt.target();
        String failure = "cannot connect to " + target.address();
        AuthFuture future;
        try {
            future = session.auth();
        } catch (IOException | RuntimeException e) {
            throw failure(attempt, failure, e);
        }
        if (!await(future, timeout, failure)) {
            throw failure(attempt, failure, new IOException("no SSH handshake within " + seconds(target.connectTimeout())));
        }
        if (future.isSuccess()) {
            return;
        }
        Throwable cause = future.getException();
        if (attempt.refusal() == null && isAuthenticationRefused(cause)) {
            throw new SshException("authentication refused for " + target.address() + " with key "
                    + target.keyFile().getFileName(), cause);
        }
        throw failure(attempt, failure, cause);
    }

    private static boolean isAuthenticationRefused(Throwable cause) {
        return cause instanceof org.apache.sshd.common.SshException ssh
                && ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE;
    }

    /** The host key refusal if there was one (it explains any later failure), otherwise the cause. */
    private static SshException failure(ConnectAttempt attempt, String failure, Throwable cause) {
        String refusal = attempt.refusal();
        if (refusal != null) {
            return new SshException(refusal, cause);
        }
        return new SshException(failure + ": " + describe(cause), cause);
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == null) {
            return "unknown error";
        }
        if (root instanceof UnresolvedAddressException || root instanceof UnknownHostException) {
            return "unknown host";
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException) {
            return root.getMessage() != null ? root.getMessage() : "Connection refused";
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static boolean await(WaitableFuture future, Duration timeout, String failure) {
        try {
            return future.await(timeout);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new SshException(failure + ": interrupted", e);
        } catch (IOException e) {
            throw new SshException(failure + ": " + describe(e), e);
        }
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
