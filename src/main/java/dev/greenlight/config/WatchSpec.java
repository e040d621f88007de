package dev.greenlight.config;

import java.time.Duration;

/**
 * The watch after a blue-green switch: every {@code interval} for {@code duration}, the live colour's health paths
 * and optional {@code errorsPath} are probed. A failed probe is an error, so is every increase of the error count
 * (the numeric field {@code errorsField} of the JSON at {@code errorsPath}); more than {@code maxErrors} inside the
 * window, or a probe latency p95 over {@code maxP95} (null: not judged), rolls back at once. A zero duration means no
 * watch.
 */
public record WatchSpec(Duration duration, Duration interval, int maxErrors, String errorsPath, String errorsField,
                        Duration maxP95) {
    public static final Duration DEFAULT_DURATION = Duration.ofMinutes(5);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** The design record's trigger: more than 10 errors in 5 minutes. */
    public static final int DEFAULT_MAX_ERRORS = 10;
    public static final String DEFAULT_ERRORS_FIELD = "errors";

    public boolean enabled() {
        return !duration.isZero();
    }
}
