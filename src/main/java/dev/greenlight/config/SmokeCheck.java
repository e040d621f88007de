package dev.greenlight.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One smoke test: a request and what its answer must look like.
 *
 * <p>{@code method} defaults to GET, {@code status} (0 when absent) to 200. {@code body}, when present, is
 * sent as JSON. {@code bodyContains}, when present, must occur in the answer's body.
 */
public record SmokeCheck(String name, String method, String path, String body, int status, String bodyContains) {

    public SmokeCheck {
        Objects.requireNonNull(path, "path");
        method = method == null || method.isBlank() ? "GET" : method.strip().toUpperCase(Locale.ROOT);
        status = status == 0 ? 200 : status;
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("expected status must be 100-599: " + status);
        }
        name = name == null || name.isBlank() ? method + " " + path : name;
        body = body == null || body.isEmpty() ? null : body;
        // an empty substring would make the body check pass vacuously
        bodyContains = bodyContains == null || bodyContains.isEmpty() ? null : bodyContains;
    }
}
