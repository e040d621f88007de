package dev.greenlight.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonBody;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * JSON bodies of the API: an object with known fields only. A field the call does not know ({@code "reasn"}) is
 * refused with its name rather than silently ignored, so a typo never drops what the caller meant to say.
 */
final class ApiBody {
    private ApiBody() {
    }

    /** The body, which must be a JSON object (declared application/json) with no field outside {@code fields}. */
    static JsonNode object(Exchange exchange, List<String> fields) {
        JsonBody.requireJsonContentType(exchange, JsonBody.JSON_HINT);
        return parse(JsonBody.raw(exchange), fields);
    }

    /** The same for a body that may be left out entirely; one that is sent is checked like any other. */
    static Optional<JsonNode> optionalObject(Exchange exchange, List<String> fields) {
        byte[] raw = JsonBody.raw(exchange);
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (raw.length == 0 && type == null) return Optional.empty();
        JsonBody.requireJsonContentType(exchange, JsonBody.JSON_HINT);
        return raw.length == 0 ? Optional.empty() : Optional.of(parse(raw, fields));
    }

    private static JsonNode parse(byte[] raw, List<String> fields) {
        JsonNode node;
        try {
            node = raw.length == 0 ? null : Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw ApiError.badRequest("malformed JSON body");
        }
        if (node == null || !node.isObject()) throw ApiError.badRequest("the body must be a JSON object");
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw ApiError.badRequest("unknown field " + shown(name) + " (fields: " + String.join(", ", fields) + ")");
            }
        }
        return node;
    }

    static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) throw ApiError.badRequest("field " + field + " is required");
            return null;
        }
        if (!v.isTextual()) throw ApiError.badRequest("field " + field + " must be a string");
        // the stores cannot keep a NUL (PostgreSQL refuses it in text), and no name, version or reason needs one
        if (v.textValue().indexOf('\0') >= 0) throw ApiError.badRequest("field " + field + " holds a NUL character (\\u0000)");
        return v.textValue();
    }

    /** An optional boolean field: false when left out. */
    static boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw ApiError.badRequest("field " + field + " must be true or false");
        return v.booleanValue();
    }

    /** A field name as the error message shows it: quoted, and cut when a caller sent a very long one. */
    private static String shown(String name) {
        String cut = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return Json.write(cut);
    }
}
