package dev.greenlight.ssh;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command on an authenticated session: exec channel, stdin closed at once, stdout and stderr
 * captured (tail only), bounded by a deadline, and interruptible.
 *
 * <p>To stop a command (timeout or interrupt) the server is sent an RFC 4254 {@code signal} request, TERM
 * and then KILL: OpenSSH's sshd answers it by signalling the command's whole process group. Merely closing
 * the channel or the connection does not stop a command started without a terminal on OpenSSH.
 */
final class RemoteCommand {

    /** Thrown when the exec channel could not be opened: the command certainly did not start. */
    static final class NotStarted extends Exception {
        NotStarted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How long a command being stopped gets to exit after TERM before it is sent KILL. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final Duration AFTER_KILL = Duration.ofMillis(500);
    /** After the exit status, how long output may pause before we stop waiting for the channel to close. */
    private static final Duration DRAIN_PAUSE = Duration.ofSeconds(1);
    /** Channel state is re-read at least this often, in case a change went unannounced. */
    private static final long POLL_MILLIS = 200;
    private static final Set<ClientChannelEvent> CLOSED = EnumSet.of(ClientChannelEvent.CLOSED);
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCommand.class);

    private final TargetSessions.Lease lease;
    private final SshTarget target;
    private final TailBuffer stdout;
    private final TailBuffer stderr;
    private final Semaphore stateChanges = new Semaphore(0);

    RemoteCommand(TargetSessions.Lease lease, SshTarget target, int outputLimit) {
        this.lease = lease;
        this.target = target;
        this.stdout = new TailBuffer(outputLimit);
        this.stderr = new TailBuffer(outputLimit);
    }

    /**
     * Runs {@code command} until it ends or {@code deadline} (a {@link System#nanoTime()} value) passes.
     * An interrupt stops the remote command and ends in an {@link SshException}, the interrupt flag set.
     */
    CommandResult run(String command, long deadline) throws NotStarted {
        long start = System.nanoTime();
        ChannelExec channel = create(command);
        try {
            if (!open(channel, deadline)) {
                lease.retire(); // no answer to a channel open: the connection is presumably dead
                return result(-1, start, true);
            }
            if (!awaitEnd(channel, deadline)) {
                stop(channel);
                return result(-1, start, true);
            }
            Integer status = channel.getExitStatus();
            if (status == null && !lease.session().isOpen()) {
                throw new SshException("connection to " + target.address() + " lost while a command was running");
            }
            return result(status == null ? -1 : status, start, false);
        } catch (InterruptedException e) {
            stop(channel);
            Thread.currentThread().interrupt();
            throw new SshException("interrupted while running a command on " + target.address()
                    + "; the command was signalled to stop", e);
        } finally {
            channel.close(false);
        }
    }

    private ChannelExec create(String command) throws NotStarted {
        try {
            ChannelExec channel = lease.session().createExecChannel(command, StandardCharsets.UTF_8, null, Map.of());
            channel.setOut(stdout);
            channel.setErr(stderr);
            channel.addChannelListener(new ChannelListener() {
                @Override
                public void channelStateChanged(Channel changed, String hint) {
                    stateChanges.release();
                }
            });
            // channel listeners hear of the close before the channel reports it: wait for the close future
            channel.addCloseFutureListener(future -> stateChanges.release());
            return channel;
        } catch (IOException | RuntimeException e) {
            throw new NotStarted("cannot create a channel", e);
        }
    }

    /** False when the deadline passed before the server answered; throws when it refused the channel. */
    private boolean open(ChannelExec channel, long deadline) throws NotStarted, InterruptedException {
        try {
            OpenFuture future = channel.open();
            if (!future.await(remaining(deadline))) {
                return false;
            }
            if (!future.isOpened()) {
                throw new NotStarted("channel refused", future.getException());
            }
        } catch (InterruptedIOException e) {
            throw new InterruptedException("interrupted while opening a channel");
        } catch (IOException | RuntimeException e) {
            throw new NotStarted("cannot open a channel", e);
        }
        // the command is running from here on: failures below must not make the caller retry it
        try {
            channel.getInvertedIn().close(); // EOF on stdin: the command must not wait for input
        } catch (IOException e) {
            LOG.debug("could not close stdin of a command on {}: {}", target.address(), e.toString());
        }
        return true;
    }

    /** True once the command has ended; false if the deadline passed first. */
    private boolean awaitEnd(ChannelExec channel, long deadline) throws InterruptedException {
        Set<ClientChannelEvent> state = await(channel,
                EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), deadline);
        if (state.contains(ClientChannelEvent.CLOSED)) {
            return true;
        }
        if (!state.contains(ClientChannelEvent.EXIT_STATUS)) {
            return false;
        }
        // Exited: collect the output still in flight. A background process that inherited stdout can keep
        // the channel open indefinitely, so stop waiting once output pauses.
        long seen = -1;
        while (seen != stdout.total() + stderr.total()) {
            seen = stdout.total() + stderr.total();
            long pauseEnd = Math.min(deadline, System.nanoTime() + DRAIN_PAUSE.toNanos());
            if (await(channel, CLOSED, pauseEnd).contains(ClientChannelEvent.CLOSED) || pauseEnd == deadline) {
                break;
            }
        }
        return true;
    }

    /** Asks the server to end the process (TERM, then KILL); drops the connection if it does not. */
    private void stop(ChannelExec channel) {
        boolean ended;
        try {
            ended = signal(channel, "TERM", KILL_GRACE) || signal(channel, "KILL", AFTER_KILL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (!ended) {
            // the server ignored the signals or the connection is dead: closing the connection is the last
            // resort, and some servers hang up the command when it goes
            LOG.warn("command on {} did not end after TERM and KILL; closing the connection", target.address());
            lease.retire();
        }
    }

    /** Sends a "signal" channel request and waits up to {@code wait} for the channel to close. */
    private boolean signal(ChannelExec channel, String signal, Duration wait) throws InterruptedException {
        try {
            Buffer request = channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
            request.putUInt(channel.getRecipient());
            request.putString("signal");
            request.putBoolean(false);
            request.putString(signal);
            channel.writePacket(request);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send {} to a command on {}: {}", signal, target.address(), e.toString());
        }
        return await(channel, CLOSED, System.nanoTime() + wait.toNanos()).contains(ClientChannelEvent.CLOSED);
    }

    /**
     * The channel state once it has any of {@code events}, or at {@code deadline}. Unlike MINA's own
     * {@code waitFor}, which swallows interrupts, this wait can be interrupted.
     */
    private Set<ClientChannelEvent> await(ChannelExec channel, Set<ClientChannelEvent> events, long deadline)
            throws InterruptedException {
        while (true) {
            stateChanges.drainPermits();
            Set<ClientChannelEvent> state = channel.getChannelState();
            long left = deadline - System.nanoTime();
            if (!Collections.disjoint(events, state) || left <= 0) {
                return state;
            }
            stateChanges.tryAcquire(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, POLL_MILLIS),
                    TimeUnit.MILLISECONDS);
        }
    }

    private CommandResult result(int exitCode, long start, boolean timedOut) {
        return new CommandResult(exitCode, stdout.text(), stderr.text(),
                Duration.ofNanos(System.nanoTime() - start), timedOut);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }
}
