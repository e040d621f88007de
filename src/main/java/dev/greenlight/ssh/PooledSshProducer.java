package dev.greenlight.ssh;

import java.time.Duration;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.ssh.SshConstants;
import org.apache.camel.support.DefaultProducer;

/**
 * Runs the message body as a command on the endpoint's host, on the pooled session, bounded by the command
 * timeout. Like camel-ssh's producer it answers with stdout as the body and {@code CamelSshExitValue} and
 * {@code CamelSshStderr} headers, and a non-zero exit is an answer, not an exception; it adds whether the
 * command timed out and how long it ran. An unreachable, untrusted or refusing host fails the exchange with an
 * {@link SshException}.
 */
final class PooledSshProducer extends DefaultProducer {
    private final SshSessionPool sessions;
    private final SshTarget target;
    private final Duration commandTimeout;
    private final StartGate starts;

    PooledSshProducer(PooledSshEndpoint endpoint, SshSessionPool sessions, SshTarget target,
                      Duration commandTimeout, StartGate starts) {
        super(endpoint);
        this.sessions = sessions;
        this.target = target;
        this.commandTimeout = commandTimeout;
        this.starts = starts;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        if (in.getHeader(SshConstants.USERNAME_HEADER) != null || in.getHeader(SshConstants.PASSWORD_HEADER) != null) {
            // camel-ssh would log in as that user, or with that password: here the URI alone decides, by key
            throw new IllegalArgumentException(SshConstants.USERNAME_HEADER + " and " + SshConstants.PASSWORD_HEADER
                    + " are not supported: the endpoint's username and key decide who runs the command");
        }
        String command = in.getMandatoryBody(String.class);
        CommandResult result = sessions.exec(target, command, commandTimeout, starts);
        Message answer = exchange.getMessage();
        answer.setBody(result.stdout());
        answer.setHeader(SshConstants.EXIT_VALUE, result.exitCode());
        answer.setHeader(SshConstants.STDERR, result.stderr());
        answer.setHeader(SshHeaders.TIMED_OUT, result.timedOut());
        answer.setHeader(SshHeaders.DURATION, result.duration());
    }
}
