package dev.greenlight.config;

import java.nio.file.Path;
import java.time.Duration;

/** How Greenlight reaches an environment's hosts: key authentication only, host keys always verified. */
public record SshSettings(String user, Path keyFile, Path knownHosts, Duration connectTimeout) {
}
