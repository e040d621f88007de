package dev.greenlight.http;

/**
 * Which HTTP answers of a service Greenlight calls (GitHub, chat providers) are worth another try: the service away
 * or overloaded (5xx), a request timeout (408) or a rate limit (429). Any other 4xx refuses the request itself, and
 * the same request would be refused again.
 */
public final class RetryableStatus {
    private RetryableStatus() {
    }

    public static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }
}
