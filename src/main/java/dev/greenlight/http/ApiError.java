package dev.greenlight.http;

import dev.greenlight.audit.RefusalLimiter;
import java.util.Optional;

/** A refusal with the HTTP status that fits it; the message is safe to show the caller. */
public class ApiError extends RuntimeException {
    private final int status;
    private volatile boolean audited;
    private volatile long retryAfterSeconds;

    public ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Marks the refusal as already in the audit trail, so it is not recorded twice. */
    public ApiError audited() {
        this.audited = true;
        return this;
    }

    public boolean isAudited() {
        return audited;
    }

    /** Seconds a 429 asks the caller to wait ({@code Retry-After}); 0 for other refusals. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /**
     * 429: the client has had too many requests refused. Counted by the refusal limiter, which audits it in its
     * summary, so it is marked audited.
     */
    /** 429 for a client blocked for too many refused requests (the request is counted as refused). */
    public static void requireAdmitted(RefusalLimiter refusals, String client) {
        Optional<java.time.Duration> blocked = refusals.admit(client);
        if (blocked.isPresent()) throw tooManyRefusals(client, blocked.get());
    }

    public static ApiError tooManyRefusals(String client, java.time.Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        ApiError e = new ApiError(429, "too many refused requests from " + client + ": every request from it is "
                + "refused for " + seconds + " more seconds (see Retry-After)");
        e.retryAfterSeconds = seconds;
        return e.audited();
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, message);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, message);
    }

    public static ApiError unprocessable(String message) {
        return new ApiError(422, message);
    }
}
