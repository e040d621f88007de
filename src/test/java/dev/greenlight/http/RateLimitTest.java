package dev.greenlight.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The one reading of rate-limit headers that GitHub calls and chat deliveries share. */
class RateLimitTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void githubsPrimaryLimitWaitsForItsReset() {
        long reset = NOW.getEpochSecond() + 1800;
        assertThat(RateLimit.until(403, headers(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset",
                String.valueOf(reset))), NOW)).contains(Instant.ofEpochSecond(reset));
        assertThat(RateLimit.until(429, headers(Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset",
                String.valueOf(reset))), NOW)).contains(Instant.ofEpochSecond(reset));
        // a reset already past: now
        assertThat(RateLimit.until(403, headers(Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset",
                String.valueOf(NOW.getEpochSecond() - 5))), NOW)).contains(NOW);
    }

    @Test
    void retryAfterComesFirstAndCoversSecondaryLimits() {
        assertThat(RateLimit.until(403, headers(Map.of("Retry-After", "60", "x-ratelimit-remaining", "0",
                "x-ratelimit-reset", String.valueOf(NOW.getEpochSecond() + 3600))), NOW)).contains(NOW.plusSeconds(60));
        assertThat(RateLimit.until(429, headers(Map.of("retry-after", "Sun, 01 Mar 2026 10:02:00 GMT")), NOW))
                .contains(NOW.plusSeconds(120));
    }

    @Test
    void otherRefusalsAreNoRateLimit() {
        // a 403 with requests left is a refusal (a token without the scope), not a limit
        assertThat(RateLimit.until(403, headers(Map.of("x-ratelimit-remaining", "4999", "x-ratelimit-reset",
                String.valueOf(NOW.getEpochSecond() + 60))), NOW)).isEmpty();
        assertThat(RateLimit.until(403, headers(Map.of()), NOW)).isEmpty();
        assertThat(RateLimit.until(503, headers(Map.of("Retry-After", "5")), NOW)).isEmpty();
        assertThat(RateLimit.until(429, headers(Map.of()), NOW)).isEmpty();
        assertThat(RateLimit.until(403, headers(Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset", "soon")),
                NOW)).isEmpty();
    }

    private static UnaryOperator<String> headers(Map<String, String> headers) {
        return name -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
