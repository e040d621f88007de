package dev.greenlight.http;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.audit.RefusalLimiter;
import dev.greenlight.store.StoreException;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns any failure of an HTTP route into a JSON error with a fitting status; never a stack trace to the caller.
 * Every refusal (a 4xx) is audited: those audited where they were decided are marked so; the rest are audited here,
 * with what the route had learnt about the request (caller, app, environment, version) in exchange properties.
 * A refusal of a caller not yet authenticated goes through the {@link RefusalLimiter}, which bounds how many such
 * entries one client can cause.
 */
public final class ApiErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    /** Exchange properties a route sets as it learns who asks for what; the audit entry of a refusal uses them. */
    public static final String ACTOR = "greenlightActor";
    public static final String ACTION = "greenlightRefusedAction";
    public static final String APP = "greenlightApp";
    public static final String ENVIRONMENT = "greenlightEnvironment";
    public static final String VERSION = "greenlightVersion";
    /** Set once the caller proved who it is (a valid token, a valid webhook signature). */
    public static final String AUTHENTICATED = "greenlightAuthenticated";

    /** Seconds a caller answered 503 for want of the database is asked to wait before sending again. */
    static final int DATABASE_RETRY_AFTER_SECONDS = 10;

    private final AuditLog audit;
    private final RefusalLimiter refusals;

    public ApiErrors(AuditLog audit, RefusalLimiter refusals) {
        this.audit = audit;
        this.refusals = refusals;
    }

    public void respond(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String message;
        if (cause instanceof ApiError e) {
            status = e.status();
            message = e.getMessage();
            if (!e.isAudited()) auditRefusal(exchange, status, message);
        } else if (cause instanceof StoreException) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            if (((StoreException) cause).isConnectionFailure()) {
                LOG.warn("database unreachable, answered 503 (ref {}): {}", ref, cause.getMessage());
            } else {
                LOG.error("database failure (ref {})", ref, cause);
            }
            status = 503;
            message = "the database is unavailable; nothing was recorded, send it again later (see Retry-After; ref "
                    + ref + ")";
        } else {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("unexpected failure (ref {})", ref, cause);
            status = 500;
            message = "internal error; see the server log (ref " + ref + ")";
        }
        if (status == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"greenlight\"");
        }
        JsonReply.set(exchange, status, Json.error(message));
        if (cause instanceof ApiError e && e.retryAfterSeconds() > 0) {
            exchange.getMessage().setHeader("Retry-After", e.retryAfterSeconds());
        } else if (status == 503) {
            exchange.getMessage().setHeader("Retry-After", DATABASE_RETRY_AFTER_SECONDS);
        }
    }

    private void auditRefusal(Exchange exchange, int status, String message) {
        try {
            String source = RemoteAddress.of(exchange);
            AuditEvent entry = AuditEvent.of(exchange.getProperty(ACTOR, "anonymous", String.class),
                            exchange.getProperty(ACTION, "api.refused", String.class), outcome(status))
                    .target(exchange.getProperty(APP, String.class), exchange.getProperty(ENVIRONMENT, String.class),
                            exchange.getProperty(VERSION, String.class))
                    .source(source)
                    .detail(exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class) + " "
                            + exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class) + ": " + message);
            if (exchange.getProperty(AUTHENTICATED, false, Boolean.class)) {
                audit.record(entry);
            } else {
                refusals.refused(source, entry);
            }
        } catch (RuntimeException e) {
            // the refusal is answered all the same; the failure to audit it is the operator's to see
            LOG.error("could not audit a refusal ({} {})", status, message, e);
        }
    }

    /** The audit outcome of a refusal with this status. */
    public static String outcome(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            case 422 -> "refused";
            case 429 -> "rate_limited";
            default -> "refused_" + status;
        };
    }
}
