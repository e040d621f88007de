package dev.greenlight.ssh;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Accepts a server only when its host key is listed for the target's host and port in the target's
 * known_hosts file. There is deliberately no way to accept unknown or changed keys.
 */
final class HostKeyVerifier implements ServerKeyVerifier {

    private final Function<Path, KnownHosts> knownHosts;

    /** @param knownHosts loads (or returns the cached) known_hosts of a path, throwing when unreadable */
    HostKeyVerifier(Function<Path, KnownHosts> knownHosts) {
        this.knownHosts = knownHosts;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        ConnectAttempt attempt = ConnectAttempt.of(session);
        if (attempt == null) {
            return false; // not opened by the pool: nothing to verify against
        }
        SshTarget target = attempt.target();
        Optional<String> refusal;
        try {
            refusal = refusal(knownHosts.apply(target.knownHosts()), target, serverKey);
        } catch (SshException e) {
            refusal = Optional.of(e.getMessage());
        }
        refusal.ifPresent(attempt::refuse);
        return refusal.isEmpty();
    }

    /** Why {@code serverKey} must be refused for {@code target}, or empty when it is listed. */
    static Optional<String> refusal(KnownHosts knownHosts, SshTarget target, PublicKey serverKey) {
        String presented = KeyUtils.getKeyType(serverKey) + " " + KeyUtils.getFingerPrint(serverKey);
        // a revoked key is refused even where a plain line lists it
        Optional<KnownHosts.RevokedKey> revoked = knownHosts.revocationOf(serverKey);
        if (revoked.isPresent()) {
            return Optional.of("host key for " + target.hostPort() + " is REVOKED: server presented " + presented
                    + ", which " + knownHosts.source() + " line " + revoked.get().line() + " marks @revoked");
        }
        List<KnownHosts.HostKey> listed = knownHosts.keysFor(target.host(), target.port());
        if (listed.stream().anyMatch(known -> KeyUtils.compareKeys(known.key(), serverKey))) {
            return Optional.empty();
        }
        if (listed.isEmpty()) {
            String hint = knownHosts.hasCertificateAuthorityFor(target.host(), target.port())
                    ? "; only @cert-authority lines match it, and host certificates are not supported: list the "
                            + "host's key in plain form"
                    : knownHosts.hasHashedEntries()
                    ? "; the file has hashed entries, which are not supported: list the host in plain form" : "";
            return Optional.of("host key for " + target.hostPort() + " is not in " + knownHosts.source()
                    + " (server presented " + presented + hint + ")");
        }
        return Optional.of("host key for " + target.hostPort() + " CHANGED: presented " + presented + ", "
                + knownHosts.source() + " has "
                + listed.stream().map(KnownHosts.HostKey::describe).collect(Collectors.joining(", ")));
    }
}
