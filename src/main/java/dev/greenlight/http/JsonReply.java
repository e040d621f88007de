package dev.greenlight.http;

import org.apache.camel.Exchange;

/** Sets an HTTP reply: status, content type (JSON unless said otherwise), body. */
public final class JsonReply {
    private JsonReply() {
    }

    public static void set(Exchange exchange, int status, String json) {
        set(exchange, status, "application/json", json);
    }

    public static void set(Exchange exchange, int status, String contentType, String body) {
        var message = exchange.getMessage();
        // removeHeaders("*", "WWW-Authenticate") compiles regular expressions for every header on every reply
        Object challenge = message.getHeader("WWW-Authenticate");
        message.getHeaders().clear();
        if (challenge != null) message.setHeader("WWW-Authenticate", challenge);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setBody(body);
    }
}
