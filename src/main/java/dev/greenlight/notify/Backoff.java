package dev.greenlight.notify;

import java.time.Duration;

/**
 * When a failed delivery is tried again: the base delay doubled with every failed attempt, at most {@code maxDelay};
 * a provider's rate limit ({@link dev.greenlight.http.RateLimit}) replaces that delay. After {@code maxAttempts} failed
 * attempts the message is dead-lettered.
 */
public record Backoff(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    /** The delay after the {@code failed}-th failed attempt (from 1). */
    public Duration delay(int failed) {
        int doublings = Math.min(Math.max(failed - 1, 0), 30);
        Duration d = baseDelay.multipliedBy(1L << doublings);
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    /** Whether an attempt that failed as the {@code failed}-th may be followed by another. */
    public boolean again(int failed) {
        return failed < maxAttempts;
    }
}
