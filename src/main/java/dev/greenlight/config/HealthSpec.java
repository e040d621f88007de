package dev.greenlight.config;

import java.time.Duration;
import java.util.List;

/**
 * An environment's {@code health:} block.
 *
 * <p>{@code command} is an optional shell command run inside the container over SSH; {@code url} is the
 * base URL as configured, possibly still a per-host template such as {@code http://{{host}}:8080}, which is
 * why the checker takes the rendered base URL separately. Missing values get the configuration defaults.
 * {@code attempts} and {@code interval} drive the caller's redelivery; a single check never retries.
 */
public record HealthSpec(String command, String url, List<String> paths, int attempts, Duration interval,
                         Duration timeout) {

    /** Checked when a URL is given without paths. */
    public static final List<String> DEFAULT_PATHS = List.of("/health");
    public static final int DEFAULT_ATTEMPTS = 10;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(3);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public HealthSpec {
        command = blankToNull(command);
        url = blankToNull(url);
        if (paths == null || paths.isEmpty()) {
            paths = url == null ? List.of() : DEFAULT_PATHS;
        } else {
            paths = List.copyOf(paths);
        }
        // a YAML binding leaves absent ints at 0
        attempts = attempts <= 0 ? DEFAULT_ATTEMPTS : attempts;
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (interval.isNegative()) {
            throw new IllegalArgumentException("health interval must not be negative: " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("health timeout must be positive: " + timeout);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
