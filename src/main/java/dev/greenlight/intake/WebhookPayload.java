package dev.greenlight.intake;

import dev.greenlight.http.ApiError;
import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * The JSON of a GitHub delivery, from a body in either content type a GitHub webhook can be set to:
 * {@code application/json} (the body is the JSON) or {@code application/x-www-form-urlencoded}, GitHub's default
 * (the body is one field, {@code payload=}, holding the URL-encoded JSON). Run only after the signature was checked
 * on the body as sent.
 */
final class WebhookPayload {
    static final String JSON = "application/json";
    static final String FORM = "application/x-www-form-urlencoded";
    private static final String FIELD = "payload";

    private WebhookPayload() {
    }

    /** 415 for any other content type; 400 for a form body that is not exactly GitHub's one field. */
    static byte[] json(String contentType, byte[] body) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case JSON -> body;
            case FORM -> formPayload(body);
            default -> throw new ApiError(415, "Content-Type must be " + JSON + " or " + FORM + ", got "
                    + shown(contentType) + ": GitHub webhooks send one of the two");
        };
    }

    /** The URL-decoded value of the body's only field, {@code payload}. */
    private static byte[] formPayload(byte[] body) {
        int fields = 1;
        for (byte b : body) {
            if (b == '&') fields++;
        }
        String prefix = FIELD + "=";
        if (!startsWith(body, prefix)) {
            throw ApiError.badRequest("form body has no " + FIELD + " field: GitHub sends the event as "
                    + FIELD + "=<URL-encoded JSON>");
        }
        if (fields > 1) {
            throw ApiError.badRequest("form body has " + fields + " fields: only " + FIELD
                    + " is expected (GitHub sends nothing else)");
        }
        return urlDecode(body, prefix.length());
    }

    private static byte[] urlDecode(byte[] body, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length - from);
        for (int i = from; i < body.length; i++) {
            byte b = body[i];
            if (b == '+') {
                out.write(' ');
            } else if (b == '%') {
                int high = i + 2 < body.length ? Character.digit(body[i + 1], 16) : -1;
                int low = high >= 0 ? Character.digit(body[i + 2], 16) : -1;
                if (low < 0) {
                    throw ApiError.badRequest("form field " + FIELD + " is not URL-encoded: a % at byte " + i
                            + " is not followed by two hex digits");
                }
                out.write(high << 4 | low);
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static boolean startsWith(byte[] body, String prefix) {
        if (body.length < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) {
            if (body[i] != prefix.charAt(i)) return false;
        }
        return true;
    }

    private static String shown(String contentType) {
        if (contentType == null) return "none";
        return contentType.length() > 100 ? contentType.substring(0, 100) + "…" : contentType;
    }
}
