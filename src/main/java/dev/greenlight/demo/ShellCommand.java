package dev.greenlight.demo;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * One SSH exec request run as a real {@code /bin/sh -c} process in a working directory, its streams bridged to the
 * channel. Behaves like OpenSSH's sshd where callers notice: closing the channel closes the process's pipes but
 * leaves it running (it dies only when it writes), and an SSH {@code signal} request (TERM, KILL, INT, HUP, QUIT)
 * goes to the command and all its descendants, as sshd's killpg of the command's group would.
 */
public final class ShellCommand implements Command {
    private static final Set<Signal> DELIVERED = EnumSet.of(Signal.TERM, Signal.KILL, Signal.INT,
            Signal.HUP, Signal.QUIT);

    private final String command;
    private final Path workDir;
    private final Set<Process> running;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private volatile Process process;

    /** @param running the server's commands still running: this one is in it from its start to its exit */
    public ShellCommand(String command, Path workDir, Set<Process> running) {
        this.command = command;
        this.workDir = workDir;
        this.running = running;
    }

    /** Stops an SSH server, then kills what its commands still run: a stopped host runs nothing. */
    public static void stopServer(SshServer server, Set<Process> running) throws IOException {
        try {
            server.stop(true);
        } finally {
            running.forEach(process -> signalTree(process, "KILL"));
        }
    }

    /** Sends a signal to a process and its descendants. */
    public static void signalTree(Process process, String signal) {
        List<String> kill = new ArrayList<>(List.of("kill", "-s", signal));
        Stream.concat(process.descendants(), Stream.of(process.toHandle()))
                .map(handle -> Long.toString(handle.pid()))
                .forEach(kill::add);
        try {
            new ProcessBuilder(kill).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        Process started = new ProcessBuilder("/bin/sh", "-c", command).directory(workDir.toFile()).start();
        process = started;
        running.add(started);
        env.addSignalListener((ch, signal) -> signalTree(started, signal.name()), DELIVERED);
        Thread stdout = pump(started.getInputStream(), out, false, "out");
        Thread stderr = pump(started.getErrorStream(), err, false, "err");
        pump(in, started.getOutputStream(), true, "in");
        Thread waiter = new Thread(() -> {
            int code = waitFor(started);
            join(stdout);
            join(stderr);
            running.remove(started);
            exitCallback.onExit(code);
        }, "ssh-command-wait-" + started.pid());
        waiter.setDaemon(true);
        waiter.start();
    }

    /** Channel gone: like sshd, close the pipes but leave the process alone. */
    @Override
    public void destroy(ChannelSession channel) {
        Process current = process;
        if (current != null) {
            closeQuietly(current.getInputStream());
            closeQuietly(current.getErrorStream());
            closeQuietly(current.getOutputStream());
        }
    }

    private Thread pump(InputStream from, OutputStream to, boolean closeAtEnd, String name) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the other side went away: nothing left to bridge
            } finally {
                if (closeAtEnd) {
                    closeQuietly(to);
                }
            }
        }, "ssh-command-" + name + "-" + process.pid());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
