package dev.greenlight.intake;

/**
 * A webhook body that cannot be read as a GitHub event: empty, not valid JSON, not a JSON object,
 * or beyond the parser's safety limits.
 *
 * <p>The message is short and safe to return to the sender or to log: it names the problem and,
 * for syntax errors, its line and column, but never repeats the body's content. For the same
 * reason the underlying parser exception is not attached as the cause (its message may quote
 * part of the body).
 */
public class MalformedPayloadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedPayloadException(String message) {
        super(message);
    }
}
