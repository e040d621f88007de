package dev.greenlight.http;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * When a service Greenlight calls (GitHub, a chat provider) says it may be called again, read from a refusal's
 * status and headers: {@code Retry-After} (seconds or an HTTP-date) on a 429 or 403, or GitHub's primary rate limit,
 * a 403 or 429 with {@code x-ratelimit-remaining: 0} and {@code x-ratelimit-reset} (epoch seconds). The one place
 * these headers are read, so every caller waits the same way instead of trying again sooner.
 */
public final class RateLimit {
    private RateLimit() {
    }

    /**
     * @param header an answer's header by name, case-insensitively; null when absent
     * @return the instant before which the service asks not to be called; empty when the answer is no rate limit
     */
    public static Optional<Instant> until(int status, UnaryOperator<String> header, Instant now) {
        if (status != 429 && status != 403) return Optional.empty();
        Optional<Instant> after = retryAfter(header.apply("Retry-After"), now);
        if (after.isPresent()) return after;
        String remaining = header.apply("x-ratelimit-remaining");
        String reset = header.apply("x-ratelimit-reset");
        if (remaining != null && "0".equals(remaining.trim()) && reset != null && reset.trim().matches("\\d{1,12}")) {
            Instant at = Instant.ofEpochSecond(Long.parseLong(reset.trim()));
            return Optional.of(at.isBefore(now) ? now : at);
        }
        // a 429 without either header is still worth another try (RetryableStatus), after the caller's own back-off
        return Optional.empty();
    }

    /** The same, from camel-http's refusal (its answer's headers). */
    public static Optional<Instant> until(HttpOperationFailedException refused, Instant now) {
        Map<String, String> headers = refused.getResponseHeaders() == null ? Map.of() : refused.getResponseHeaders();
        return until(refused.getStatusCode(), name -> headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElse(null), now);
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
