package dev.greenlight.ssh;

import java.time.Duration;

import org.apache.camel.Message;
import org.apache.camel.component.ssh.SshConstants;

/** The answer of an {@code ssh:} endpoint, read back as a {@link CommandResult}. */
public final class SshHeaders {
    /** True when the command was stopped at its timeout (the exit value is then -1). */
    public static final String TIMED_OUT = "GreenlightSshTimedOut";
    /** How long the command ran, a {@link Duration}. */
    public static final String DURATION = "GreenlightSshDuration";

    private SshHeaders() {
    }

    public static CommandResult result(Message answer) {
        return new CommandResult(answer.getHeader(SshConstants.EXIT_VALUE, -1, Integer.class),
                answer.getBody(String.class), answer.getHeader(SshConstants.STDERR, String.class),
                answer.getHeader(DURATION, Duration.ZERO, Duration.class),
                answer.getHeader(TIMED_OUT, false, Boolean.class));
    }
}
