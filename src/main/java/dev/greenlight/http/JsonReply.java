package dev.greenlight.http;

import org.apache.camel.Exchange;

/** Sets an HTTP reply: status, JSON content type, body. */
public final class JsonReply {
    private JsonReply() {
    }

    public static void set(Exchange exchange, int status, String json) {
        var message = exchange.getMessage();
        // removeHeaders("*", "WWW-Authenticate") compiles regular expressions for every header on every reply
        Object challenge = message.getHeader("WWW-Authenticate");
        message.getHeaders().clear();
        if (challenge != null) message.setHeader("WWW-Authenticate", challenge);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(json);
    }
}
