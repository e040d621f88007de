package dev.greenlight.deploy;

import dev.greenlight.ssh.CommandResult;

/** A remote command ran and failed: a non-zero exit or a timeout. The host was reached; the command said no. */
public class CommandFailedException extends StepFailedException {
    private final transient CommandResult result;

    public CommandFailedException(String message, CommandResult result) {
        super(message);
        this.result = result;
    }

    public CommandResult result() {
        return result;
    }
}
