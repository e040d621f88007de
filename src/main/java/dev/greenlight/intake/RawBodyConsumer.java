package dev.greenlight.intake;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;

/**
 * A platform-http consumer that hands its route the request body exactly as sent, as bytes, for a signature to
 * cover: used for endpoints with {@code useBodyHandler=false}. Vert.x's body handler cannot be used there: it parses
 * an {@code application/x-www-form-urlencoded} body (GitHub's default content type) into fields, refusing a field
 * over 8 KB and turning the fields into message headers. The body is read on the event loop before the route runs,
 * within the server's size limit: a body over it is refused with 413 as soon as it is announced or has grown past it.
 */
public final class RawBodyConsumer extends VertxPlatformHttpConsumer {
    private final long limit;

    public RawBodyConsumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers,
                           String routerName, long limit) {
        super(endpoint, processor, handlers, routerName);
        this.limit = limit;
    }

    /** Headers as usual; then, instead of the paused request, the body it carries. */
    @Override
    protected Future<Void> populateCamelMessage(RoutingContext ctx, Exchange exchange, Message message) {
        return super.populateCamelMessage(ctx, exchange, message).compose(headersDone -> read(ctx, message));
    }

    private Future<Void> read(RoutingContext ctx, Message message) {
        HttpServerRequest request = ctx.request();
        Promise<Void> read = Promise.promise();
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (read.future().isComplete()) return; // refused: the rest is read and dropped, so the answer can go out
            if (body.length() + (long) chunk.length() > limit) {
                read.tryFail(new HttpException(413));
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(read::tryFail);
        request.endHandler(end -> {
            if (read.future().isComplete()) return;
            message.setBody(body.getBytes());
            read.complete();
        });
        // a refused request is still read to its end (and dropped): left paused, it would stall its connection
        request.resume();
        if (contentLength(request) > limit) {
            read.tryFail(new HttpException(413));
        } else if ("100-continue".equalsIgnoreCase(request.getHeader("Expect")) && request.version() != HttpVersion.HTTP_1_0) {
            ctx.response().writeContinue();
        }
        return read.future();
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader("Content-Length");
        if (value == null) return -1;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP server refuses a malformed Content-Length before any route sees it
        }
    }
}
