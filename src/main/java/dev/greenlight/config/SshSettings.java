package dev.greenlight.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How Greenlight reaches an environment's hosts: key authentication only, host keys always verified.
 *
 * @param keyExchange the key exchange algorithms allowed, in order of preference; empty for the default order
 * @param maxConcurrentStarts at most this many of the environment's SSH sessions are being opened (connect, key
 *                            exchange, authentication) at once
 */
public record SshSettings(String user, Path keyFile, Path knownHosts, Duration connectTimeout,
                          List<String> keyExchange, int maxConcurrentStarts) {
    public SshSettings {
        keyExchange = List.copyOf(keyExchange);
    }
}
