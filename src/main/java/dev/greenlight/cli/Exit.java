package dev.greenlight.cli;

import dev.greenlight.deploy.DeploymentStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit codes of the command line, one per outcome a script may want to tell apart. A command that reports a
 * deployment that has ended exits with its outcome; one still under way (or a read of something else) exits 0.
 */
enum Exit {
    OK(0, "done (and a deployment that has ended succeeded)"),
    FAILED(1, "the deployment failed (nothing was changed, or nothing could be returned to)"),
    USAGE(2, "usage error: an unknown command or option, a missing argument, no token, a bad URL"),
    ROLLED_BACK(3, "the deployment was rolled back"),
    REFUSED(4, "refused by the API (a 4xx answer: its message is printed as the API gave it)"),
    UNREACHABLE(5, "the service could not be reached or could not answer (no connection, no answer in time, a 5xx)"),
    CANCELLED(6, "the deployment was cancelled (or rejected, or nobody decided in time)"),
    ROLLBACK_FAILED(7, "the deployment's rollback failed: the environment is locked until someone unlocks it"),
    INTERNAL(70, "the command itself failed (a bug: the message says what went wrong)");

    private final int code;
    private final String meaning;

    Exit(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    int code() {
        return code;
    }

    /** The exit that says how a deployment in {@code status} ended; {@link #OK} while it has not ended. */
    static Exit of(DeploymentStatus status) {
        return switch (status) {
            case FAILED -> FAILED;
            case ROLLED_BACK -> ROLLED_BACK;
            case ROLLBACK_FAILED -> ROLLBACK_FAILED;
            case CANCELLED -> CANCELLED;
            default -> OK;
        };
    }

    /** The list every command's {@code --help} ends with. */
    static Map<String, String> helpList() {
        Map<String, String> list = new LinkedHashMap<>();
        for (Exit exit : values()) list.put(String.valueOf(exit.code), exit.meaning);
        return list;
    }
}
