package dev.greenlight;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Works around Camel 4.17's platform-http: with the management server on its own port, the engine finds two
 * servers in the registry and falls back to port 8080, so routes fail to start on any other business port.
 * Bound as {@code platform-http-engine}, it answers the configured port.
 */
public final class ServerPortEngine extends VertxPlatformHttpEngine {
    private final int port;

    public ServerPortEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
