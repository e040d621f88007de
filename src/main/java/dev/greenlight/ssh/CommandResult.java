package dev.greenlight.ssh;

import java.time.Duration;

/**
 * Outcome of one remote command.
 *
 * @param exitCode the command's exit status; -1 when it timed out or the server reported none
 *                 (for example because the process was killed by a signal)
 * @param stdout   captured standard output (only the tail if it was larger than the capture limit)
 * @param stderr   captured standard error (same limit)
 * @param duration wall time from opening the channel to the end of the command
 * @param timedOut true when the command did not finish within its timeout and was abandoned
 */
public record CommandResult(int exitCode, String stdout, String stderr, Duration duration, boolean timedOut) {

    /** True only when the command finished in time with exit status 0. */
    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }
}
