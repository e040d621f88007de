package dev.greenlight;

import dev.greenlight.http.CredentialHeaders;
import dev.greenlight.http.HttpFailures;
import dev.greenlight.intake.RawBodyConsumer;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Works around Camel 4.17's platform-http: with the management server on its own port, the engine finds two
 * servers in the registry and falls back to port 8080, so routes fail to start on any other business port.
 * Bound as {@code platform-http-engine}, it answers the configured port.
 *
 * <p>It also gives the business server's router a failure handler, so that what Vert.x refuses before a route
 * runs (a body over {@code camel.server.maxBodySize}: 413) is answered in JSON like everything else, and a last
 * route that answers a request no route takes with a JSON 404 (or 405 when only the method is wrong). A route
 * whose endpoint sets {@code useBodyHandler=false} (the webhook) gets its body as sent, in bytes
 * ({@link RawBodyConsumer}). No answer carries the request's credentials back ({@link CredentialHeaders}).
 */
public final class ServerPortEngine extends VertxPlatformHttpEngine {
    private final int port;
    private final long maxBodySize;
    private boolean failureHandlerInstalled;

    public ServerPortEngine(int port, long maxBodySize) {
        this.port = port;
        this.maxBodySize = maxBodySize;
    }

    @Override
    public int getServerPort() {
        return port;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        installFailureHandler();
        endpoint.setHeaderFilterStrategy(new CredentialHeaders(endpoint.getHeaderFilterStrategy()));
        if (!endpoint.isUseBodyHandler()) {
            return new RawBodyConsumer(endpoint, processor, getHandlers(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(port), maxBodySize);
        }
        return super.createConsumer(endpoint, processor);
    }

    private synchronized void installFailureHandler() {
        if (failureHandlerInstalled) return;
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("no platform-http router for port " + port);
        }
        router.route().failureHandler(new HttpFailures(maxBodySize, getCamelContext().getRegistry()));
        // last of all: a path no route serves is answered in JSON too
        router.route().order(Integer.MAX_VALUE).handler(HttpFailures.unmatched(router));
        failureHandlerInstalled = true;
    }
}
