package dev.greenlight.ssh;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.session.ClientSession;

/**
 * An authenticated session shared by the commands of one target. Once retired it takes no new commands
 * and is closed as soon as the commands still running on it have finished.
 */
final class PooledSession {

    private final ClientSession session;
    private final List<FileStamp> openedWith;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean retired;
    private volatile long lastUsedNanos = System.nanoTime();

    /** @param openedWith the target's key and known_hosts files as they were when the session was opened */
    PooledSession(ClientSession session, List<FileStamp> openedWith) {
        this.session = session;
        this.openedWith = List.copyOf(openedWith);
    }

    ClientSession session() {
        return session;
    }

    /** Can take a new command: not retired and the connection is still up. */
    boolean usable() {
        return !retired && session.isOpen();
    }

    /** True when the files it was authenticated and verified with are no longer as they were then. */
    boolean filesChangedSince(List<FileStamp> now) {
        return !openedWith.equals(now);
    }

    /** No command running and none for longer than {@code limit}. */
    boolean idleLongerThan(Duration limit) {
        return running.get() == 0 && System.nanoTime() - lastUsedNanos > limit.toNanos();
    }

    void acquire() {
        running.incrementAndGet();
        lastUsedNanos = System.nanoTime();
    }

    void release() {
        lastUsedNanos = System.nanoTime();
        if (running.decrementAndGet() == 0 && retired) {
            close();
        }
    }

    /** No new commands; closes now if idle, otherwise when the last running command releases it. */
    void retire() {
        retired = true;
        if (running.get() == 0) {
            close();
        }
    }

    /** Closes at once, aborting running commands. */
    void close() {
        retired = true;
        if (closed.compareAndSet(false, true)) {
            session.close(true);
        }
    }
}
