package dev.greenlight.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Identity of one SSH connection: where to connect, as whom, with which key, trusting which host keys.
 * Two targets that are equal share one pooled session.
 *
 * @param host       host name or IP address (no brackets, no port)
 * @param port       TCP port; callers apply the default of 22
 * @param user       remote user name
 * @param keyFile    unencrypted private key (OpenSSH or PEM format) used for public key authentication
 * @param knownHosts OpenSSH known_hosts file the server's host key must be listed in
 * @param connectTimeout bound on connecting, key exchange and authentication together
 * @param keyExchange    key exchange algorithms allowed, in order of preference; empty for the client's default
 */
public record SshTarget(String host, int port, String user, Path keyFile, Path knownHosts, Duration connectTimeout,
                        List<String> keyExchange) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** A target with the default connect timeout. */
    public SshTarget(String host, int port, String user, Path keyFile, Path knownHosts) {
        this(host, port, user, keyFile, knownHosts, DEFAULT_CONNECT_TIMEOUT);
    }

    /** A target with the client's default key exchange order. */
    public SshTarget(String host, int port, String user, Path keyFile, Path knownHosts, Duration connectTimeout) {
        this(host, port, user, keyFile, knownHosts, connectTimeout, List.of());
    }

    public SshTarget {
        if (host == null || host.isBlank() || host.startsWith("[")) {
            throw new IllegalArgumentException("host must be a bare host name or address, got: " + host);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("user must not be blank");
        }
        // absolute, so that a target built from a relative setting and one read back from an endpoint URI are equal
        keyFile = Objects.requireNonNull(keyFile, "keyFile").toAbsolutePath().normalize();
        knownHosts = Objects.requireNonNull(knownHosts, "knownHosts").toAbsolutePath().normalize();
        if (connectTimeout == null || connectTimeout.isZero() || connectTimeout.isNegative()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        keyExchange = List.copyOf(keyExchange == null ? List.of() : keyExchange);
        KeyExchanges.requireSupported(keyExchange);
    }

    /** {@code host:port}, with IPv6 addresses bracketed, as used in messages. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code user@host:port}, as used in messages. */
    public String address() {
        return user + "@" + hostPort();
    }
}
