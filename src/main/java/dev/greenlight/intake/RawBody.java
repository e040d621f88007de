package dev.greenlight.intake;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.WebServerRequest;
import org.apache.camel.Exchange;

/**
 * A webhook's body exactly as it was sent, for the signature to cover. Vert.x's body handler cannot be used: it
 * parses {@code application/x-www-form-urlencoded} bodies (GitHub's default content type) into fields, refusing a
 * field over 8 KB and leaving the route no bytes to check. This handler, installed on the HTTP router ahead of the
 * webhook route (whose endpoint sets {@code useBodyHandler=false}), reads the body without looking at it, within
 * the server's size limit: a body over it is refused with 413 as soon as it is announced or has grown past it.
 */
public final class RawBody implements Handler<RoutingContext> {
    private static final String KEY = RawBody.class.getName();

    private final long limit;

    public RawBody(long limit) {
        this.limit = limit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (contentLength(request) > limit) {
            ctx.fail(413);
            return;
        }
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect")) && request.version() != HttpVersion.HTTP_1_0) {
            ctx.response().writeContinue();
        }
        Buffer body = Buffer.buffer();
        boolean[] failed = {false};
        request.handler(chunk -> {
            if (failed[0]) return;
            if (body.length() + (long) chunk.length() > limit) {
                failed[0] = true;
                ctx.fail(413); // the rest is read and dropped, so that the answer can be sent
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> {
            if (!failed[0]) {
                failed[0] = true;
                ctx.fail(e);
            }
        });
        request.endHandler(end -> {
            if (failed[0]) return;
            ctx.put(KEY, body);
            ctx.next();
        });
        request.resume();
    }

    /** The body the handler read for this exchange's request. */
    public static byte[] of(Exchange exchange) {
        // with useBodyHandler=false, platform-http hands the route the request itself
        if (exchange.getMessage().getBody() instanceof WebServerRequest request
                && request.routingContext().get(KEY) instanceof Buffer body) {
            return body.getBytes();
        }
        throw new IllegalStateException("the raw body of " + exchange.getMessage().getHeader(Exchange.HTTP_PATH)
                + " was not read: RawBody must be installed ahead of the route, whose endpoint needs useBodyHandler=false");
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader("Content-Length");
        if (value == null) return -1;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x refuses a malformed Content-Length before any handler runs
        }
    }
}
