package dev.greenlight.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code ssh:} endpoint URI of a target: camel-ssh's own options (user, key file as {@code certResource},
 * {@code knownHostsResource} with {@code failOnUnknownHost=true}, connect {@code timeout}, {@code kex}) plus the command
 * timeout that {@link PooledSshEndpoint} adds. Paths and the user travel as RAW values, so no character in
 * them is read as URI syntax.
 */
public final class SshEndpointUri {
    private SshEndpointUri() {
    }

    /**
     * The URI of an environment's endpoint: its sessions are opened at most {@code maxConcurrentStarts} at a time,
     * counted over every endpoint naming the same {@code startGroup}.
     */
    public static String of(SshTarget target, Duration commandTimeout, String startGroup, int maxConcurrentStarts) {
        return of(target, commandTimeout) + "&" + PooledSshEndpoint.START_GROUP + "=" + raw(startGroup)
                + "&" + PooledSshEndpoint.MAX_CONCURRENT_STARTS + "=" + maxConcurrentStarts;
    }

    public static String of(SshTarget target, Duration commandTimeout) {
        return "ssh://" + target.hostPort()
                + "?username=" + raw(target.user())
                + "&certResource=" + raw("file:" + target.keyFile())
                + "&knownHostsResource=" + raw("file:" + target.knownHosts())
                + "&failOnUnknownHost=true"
                + "&timeout=" + target.connectTimeout().toMillis()
                + (target.keyExchange().isEmpty() ? "" : "&kex=" + raw(String.join(",", target.keyExchange())))
                + "&" + PooledSshEndpoint.COMMAND_TIMEOUT + "=" + commandTimeout.toMillis();
    }

    /** A {@code file:} resource (or a bare path) as a path; camel-ssh's other resource kinds are refused. */
    static Path file(String option, String resource) {
        if (resource == null || resource.isBlank()) {
            throw new IllegalArgumentException(option + " is required (a file: path)");
        }
        if (resource.startsWith("file:")) return Path.of(resource.substring("file:".length()));
        if (resource.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !resource.matches("^[A-Za-z]:[\\\\/].*")) {
            throw new IllegalArgumentException(option + " must be a file: path, got " + resource);
        }
        return Path.of(resource);
    }

    private static String raw(String value) {
        return value.indexOf(')') < 0 ? "RAW(" + value + ")" : "RAW{" + value + "}";
    }
}
