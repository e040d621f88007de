package dev.greenlight.http;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Keeps a request's credentials out of every answer. The HTTP server copies a message's headers into the response,
 * and a route that does not replace them (the OpenAPI document Camel serves) would send the caller's
 * {@code Authorization} header back, where proxies and caches may keep it. Whatever else the endpoint's own strategy
 * decides is left to it; these headers never go out.
 */
public final class CredentialHeaders implements HeaderFilterStrategy {
    static final Set<String> NEVER_SENT = Set.of("authorization", "proxy-authorization", "cookie",
            "x-hub-signature-256", "x-hub-signature");

    private final HeaderFilterStrategy endpoint;

    public CredentialHeaders(HeaderFilterStrategy endpoint) {
        this.endpoint = endpoint;
    }

    /** Camel to HTTP: the response. */
    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return NEVER_SENT.contains(name.toLowerCase(Locale.ROOT))
                || endpoint != null && endpoint.applyFilterToCamelHeaders(name, value, exchange);
    }

    /** HTTP to Camel: the request, as the endpoint reads it (routes need its Authorization header). */
    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        return endpoint != null && endpoint.applyFilterToExternalHeaders(name, value, exchange);
    }
}
