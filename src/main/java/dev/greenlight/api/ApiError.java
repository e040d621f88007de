package dev.greenlight.api;

/** A refusal with the HTTP status that fits it; the message is safe to show the caller. */
public class ApiError extends RuntimeException {
    private final int status;
    private volatile boolean audited;

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
