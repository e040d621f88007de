package dev.greenlight.api;

import dev.greenlight.store.StoreException;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns any failure of an HTTP route into a JSON error with a fitting status; never a stack trace to the caller. */
public final class ApiErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    public void respond(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String message;
        if (cause instanceof ApiError e) {
            status = e.status();
            message = e.getMessage();
        } else if (cause instanceof StoreException) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("database failure (ref {})", ref, cause);
            status = 503;
            message = "the database is unavailable; nothing was recorded (ref " + ref + ")";
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
    }
}
