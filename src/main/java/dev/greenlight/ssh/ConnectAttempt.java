package dev.greenlight.ssh;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;

/**
 * Travels with a connection from {@code connect} to the host key check: tells the verifier which target
 * (and so which known_hosts file) applies, and brings back the precise reason when the key is refused,
 * since MINA SSHD itself only reports a generic failure.
 */
final class ConnectAttempt {

    private static final AttributeKey<ConnectAttempt> KEY = new AttributeKey<>();

    private final SshTarget target;
    private volatile String refusal;

    ConnectAttempt(SshTarget target) {
        this.target = target;
    }

    /** The connection context to pass to {@code SshClient.connect}. */
    AttributeRepository asContext() {
        return AttributeRepository.ofKeyValuePair(KEY, this);
    }

    /** The attempt a session was opened for, or null for sessions not opened by the pool. */
    static ConnectAttempt of(ClientSession session) {
        AttributeRepository context = session.getConnectionContext();
        return context == null ? null : context.getAttribute(KEY);
    }

    SshTarget target() {
        return target;
    }

    void refuse(String reason) {
        refusal = reason;
    }

    /** Why the host key was refused, or null if it was not. */
    String refusal() {
        return refusal;
    }
}
