package dev.greenlight.health;

/**
 * One reading of an app's error counter: the count, or when there is none ({@code count == null}) why not.
 *
 * @param url    the address read
 * @param millis how long the request took
 */
public record ErrorCount(String url, Long count, long millis, String error) {
    public boolean read() {
        return count != null;
    }
}
