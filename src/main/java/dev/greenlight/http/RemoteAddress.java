package dev.greenlight.http;

import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The caller's address, for the audit trail and the refusal limit: the connection's peer address, or, when the peer
 * is a trusted reverse proxy, the client it forwards for (see {@link TrustedProxies}). The port is left out: it
 * changes with every connection and says nothing about who called.
 */
public final class RemoteAddress {
    private static final String HEADER = "CamelVertxPlatformHttpRemoteAddress";
    /** Worked out once per exchange: the reply clears the request headers it is computed from. */
    private static final String PROPERTY = "greenlightClientAddress";

    private RemoteAddress() {
    }

    public static String of(Exchange exchange) {
        String known = exchange.getProperty(PROPERTY, String.class);
        if (known != null) return known;
        String peer = peer(exchange.getMessage().getHeader(HEADER));
        if (peer == null) return null;
        TrustedProxies proxies = exchange.getContext().getRegistry()
                .lookupByNameAndType(TrustedProxies.BEAN, TrustedProxies.class);
        if (proxies == null) proxies = TrustedProxies.NONE;
        String client = proxies.client(peer, values(exchange.getMessage().getHeader(proxies.header().headerName())));
        exchange.setProperty(PROPERTY, client);
        return client;
    }

    /** The host part of the HTTP server's peer address. */
    static String peer(Object address) {
        if (address == null) return null;
        if (address instanceof SocketAddress socket) {
            return socket.hostAddress() != null ? socket.hostAddress() : socket.toString();
        }
        return TrustedProxies.hostOf(address.toString());
    }

    /** A header repeated in a request arrives as a list. */
    private static List<String> values(Object header) {
        List<String> out = new ArrayList<>();
        if (header instanceof Iterable<?> many) {
            many.forEach(v -> out.add(String.valueOf(v)));
        } else if (header != null) {
            out.add(header.toString());
        }
        return out;
    }
}
