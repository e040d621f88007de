package dev.greenlight.http;

import org.apache.camel.Exchange;

/** The raw bytes of a JSON request body (signatures are computed over exactly these). */
public final class JsonBody {
    /** What a caller that sent another content type is told to do. */
    public static final String JSON_HINT = "send the body as application/json";

    private JsonBody() {
    }

    /**
     * 415 unless the body is declared JSON: the HTTP server parses form bodies into fields, and then the raw bytes
     * a signature covers are gone.
     */
    public static void requireJsonContentType(Exchange exchange, String hint) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!isJson(type)) {
            throw new ApiError(415, unsupportedType(type, hint));
        }
    }

    /** {@code application/json}, with or without parameters, in any case. */
    public static boolean isJson(String contentType) {
        if (contentType == null) return false;
        String type = contentType.split(";", 2)[0].trim();
        return type.equalsIgnoreCase("application/json");
    }

    public static String unsupportedType(String contentType, String hint) {
        String shown = contentType == null ? "none" : contentType.length() > 100 ? contentType.substring(0, 100) + "…" : contentType;
        return "Content-Type must be application/json, got " + shown + ": " + hint;
    }

    /** The body as bytes, converted once and kept so later steps read the same bytes. */
    public static byte[] raw(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null) body = new byte[0];
        exchange.getMessage().setBody(body);
        return body;
    }
}
