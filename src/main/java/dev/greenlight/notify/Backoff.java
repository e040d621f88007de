package dev.greenlight.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a failed delivery is tried again: the base delay doubled with every failed attempt, at most {@code maxDelay};
 * a provider's {@code Retry-After} (seconds or an HTTP-date) replaces that delay. After {@code maxAttempts} failed
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

    /** {@code Retry-After} as an instant from {@code now}; empty when absent or unreadable. */
    public static Optional<Instant> retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) return Optional.empty();
        String value = header.trim();
        if (value.matches("\\d{1,9}")) return Optional.of(now.plusSeconds(Long.parseLong(value)));
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isBefore(now) ? now : at);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
