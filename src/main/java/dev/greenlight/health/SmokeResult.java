package dev.greenlight.health;

/**
 * The outcome of one smoke check. {@code detail} is {@code ok} when it passed and otherwise says exactly
 * why it failed; {@code status} is 0 when no answer came.
 */
public record SmokeResult(String name, String url, boolean passed, int status, long millis, String detail) {

    /** One line for a step record, e.g. {@code GET /api/ping: expected status 200, got 500}. */
    public String summary() {
        return passed ? name + ": ok " + status + " " + millis + "ms" : name + ": " + detail;
    }
}
