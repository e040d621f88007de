package dev.greenlight.notify;

import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.NotificationTarget;
import dev.greenlight.config.Secrets;
import dev.greenlight.http.RateLimit;
import dev.greenlight.http.RetryableStatus;
import dev.greenlight.metrics.GreenlightMeters;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery side of the notifications outbox, for {@code routes/notifications.camel.yaml}: claims the channels'
 * heads, turns each into its provider's request, and records the outcome in the row (delivered; tried again after
 * the back-off or the provider's Retry-After; dead after the last attempt). No thread waits for a retry: the row's
 * next attempt time is the wait. The webhook URL is a secret: it is only ever an exchange property, and every error
 * text is stored masked.
 */
public final class NotificationRelay {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationRelay.class);
    /** The exchange property holding the endpoint the route sends to: the webhook URL and the client's option. */
    public static final String URI = "notificationUri";
    private static final int BATCH = 20;

    private final CurrentConfig config;
    private final Secrets secrets;
    private final NotificationStore store;
    private final Backoff backoff;
    private final Clock clock;
    private final GreenlightMeters meters;

    public NotificationRelay(CurrentConfig config, Secrets secrets, NotificationStore store, Backoff backoff,
                             Clock clock, GreenlightMeters meters) {
        this.meters = meters;
        this.config = config;
        this.secrets = secrets;
        this.store = store;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** The heads of the channels that are due now, each claimed by this instance. */
    public List<NotificationStore.Row> claim() {
        return store.claim(BATCH);
    }

    /** The provider's request: URL (as a property), headers and JSON body in the channel type's format. */
    public void prepare(Exchange exchange, NotificationStore.Row row) {
        NotificationTarget target = config.get().notifications().get(row.channel());
        if (target == null) throw new IllegalStateException("channel " + row.channel() + " is no longer configured");
        String url = secrets.get(target.urlEnv(), target.urlFile()).orElseThrow(() -> new IllegalStateException(
                "the webhook URL of channel " + row.channel() + " is not set (" + (target.urlEnv() != null
                        ? target.urlEnv() : target.urlFile()) + ")"));
        exchange.setProperty(URI, url + (url.contains("?") ? "&" : "?") + "httpClientConfigurer=#"
                + NoAutomaticRetries.BEAN);
        var message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader("User-Agent", "Greenlight");
        message.setBody(MessageFormat.of(target.type()).render(row.notice()));
    }

    public void delivered(NotificationStore.Row row) {
        store.delivered(row.id());
        meters.notificationDelivered(row.channel());
        LOG.debug("notification {} delivered to {}", row.id(), row.channel());
    }

    /**
     * The attempt failed: HTTP 429 waits for the provider's Retry-After; other 4xx answers (the hook was deleted, the
     * payload refused) are dead-lettered at once, since sending the same again gets the same answer; anything else is
     * tried again after the back-off, until the last attempt.
     */
    public void failed(Exchange exchange, NotificationStore.Row row) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int failed = row.attempts() + 1;
        Instant now = Instant.now(clock);
        Optional<Instant> at = Optional.empty();
        String error;
        boolean permanent = false;
        if (cause instanceof HttpOperationFailedException http) {
            int status = http.getStatusCode();
            error = "HTTP " + status + (http.getStatusText() == null ? "" : " " + http.getStatusText());
            at = RateLimit.until(http, now);
            permanent = at.isEmpty() && status >= 400 && status < 500 && !RetryableStatus.retryable(status);
        } else {
            error = cause == null ? "unknown failure" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        if (permanent || !backoff.again(failed)) {
            store.dead(row.id(), error);
            meters.notificationDeadLettered(row.channel());
            LOG.warn("notification {} to {} dead-lettered after {} attempt(s): {}", row.id(), row.channel(), failed,
                    secrets.redact(error));
            return;
        }
        Instant next = at.orElse(now.plus(backoff.delay(failed)));
        store.retryAt(row.id(), next, error);
        LOG.info("notification {} to {} failed (attempt {}/{}): {}; next attempt at {}", row.id(), row.channel(),
                failed, backoff.maxAttempts(), secrets.redact(error), next);
    }
}
