package dev.greenlight.notify;

import dev.greenlight.http.RateLimit;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GitHub's rate limit as the last refused call saw it (a 403 or 429 with its reset, read by {@link RateLimit}),
 * shared by the relay's GitHub calls: until the reset, a commit status is not sent and a GitHub deployment's call
 * waits in the outbox, rather than each being refused in turn. The relay runs off the pipelines, so this never
 * delays a deployment.
 */
public final class GithubRateLimits {
    private static final Logger LOG = LoggerFactory.getLogger(GithubRateLimits.class);

    private final Clock clock;
    private final AtomicReference<Instant> until = new AtomicReference<>(Instant.EPOCH);

    public GithubRateLimits(Clock clock) {
        this.clock = clock;
    }

    /** Whether {@code cause} is GitHub's rate limit; if so its reset is remembered. */
    public boolean limited(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof HttpOperationFailedException refused) {
                Optional<Instant> reset = RateLimit.until(refused, Instant.now(clock));
                if (reset.isEmpty()) return false;
                Instant at = until.accumulateAndGet(reset.get(), (a, b) -> a.isAfter(b) ? a : b);
                LOG.warn("GitHub's rate limit was reached (HTTP {}): no GitHub call until {}", refused.getStatusCode(),
                        at);
                return true;
            }
        }
        return false;
    }

    /** The reset GitHub named, while it has not come. */
    public Optional<Instant> pausedUntil() {
        Instant at = until.get();
        return at.isAfter(Instant.now(clock)) ? Optional.of(at) : Optional.empty();
    }
}
