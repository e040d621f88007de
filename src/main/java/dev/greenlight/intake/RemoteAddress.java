package dev.greenlight.intake;

import org.apache.camel.Exchange;

/** The caller's address as the HTTP server saw it, for the audit trail. */
public final class RemoteAddress {
    private static final String HEADER = "CamelVertxPlatformHttpRemoteAddress";

    private RemoteAddress() {
    }

    public static String of(Exchange exchange) {
        Object address = exchange.getMessage().getHeader(HEADER);
        return address == null ? null : address.toString();
    }
}
