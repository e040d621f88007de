package dev.greenlight.health;

import java.net.URI;

/**
 * The outcome of one HTTP request: either a status (with {@code error == null}) or, when no answer came,
 * {@code status == 0} and an {@code error} saying why.
 */
public record PathResult(String url, int status, long millis, String error) {

    /** A 2xx answer; redirects and errors are not healthy. */
    public boolean ok() {
        return error == null && status >= 200 && status < 300;
    }

    /** One fragment of a report summary, e.g. {@code /health 200 12ms} or {@code /health: connection refused}. */
    public String describe() {
        String label = label();
        return error == null ? label + " " + status + " " + millis + "ms" : label + ": " + error;
    }

    /** Path and query of the URL: the host is the same for every result of a report. */
    private String label() {
        try {
            URI uri = URI.create(url);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } catch (IllegalArgumentException | NullPointerException e) {
            return String.valueOf(url);
        }
    }
}
