package dev.greenlight.cli;

/**
 * Why a command stops, with the exit code that says so; the message is for the person at the terminal. A refusal
 * carries the API's answer, printed as it came with {@code --json}.
 */
final class CliFailure extends RuntimeException {
    private final Exit exit;
    private final String apiBody;

    CliFailure(Exit exit, String message) {
        this(exit, message, null);
    }

    private CliFailure(Exit exit, String message, String apiBody) {
        super(message, null, false, false);
        this.exit = exit;
        this.apiBody = apiBody;
    }

    static CliFailure usage(String message) {
        return new CliFailure(Exit.USAGE, message);
    }

    /** A 4xx answer: the API's own message, word for word. */
    static CliFailure refused(int status, String apiMessage, String apiBody) {
        return new CliFailure(Exit.REFUSED, "refused (" + status + "): " + apiMessage, apiBody);
    }

    Exit exit() {
        return exit;
    }

    /** The API's answer, when the failure is one. */
    String apiBody() {
        return apiBody;
    }
}
