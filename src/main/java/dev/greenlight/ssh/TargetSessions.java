package dev.greenlight.ssh;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.sshd.client.session.ClientSession;

/**
 * The current pooled session of one target. Connecting happens under this target's lock, so concurrent
 * commands for the same target never open two connections, while other targets are not held up.
 */
final class TargetSessions {

    /** A command's hold on a session; closing it lets the session be retired or closed when idle. */
    final class Lease implements AutoCloseable {
        private final PooledSession pooled;
        private final boolean reused;
        private final long sinceNanos;

        private Lease(PooledSession pooled, boolean reused, long sinceNanos) {
            this.pooled = pooled;
            this.reused = reused;
            this.sinceNanos = sinceNanos;
        }

        /**
         * When this command's work started ({@link System#nanoTime()}): its connection attempt, or, on a session
         * already open, the lease itself. A wait for a turn to connect is not included.
         */
        long sinceNanos() {
            return sinceNanos;
        }

        ClientSession session() {
            return pooled.session();
        }

        /** True when the session was opened for an earlier command (so it may have gone stale). */
        boolean reused() {
            return reused;
        }

        /** Stops handing this session out; it closes once its running commands are done. */
        void retire() {
            TargetSessions.this.retire(pooled);
        }

        @Override
        public void close() {
            pooled.release();
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private PooledSession current;

    /**
     * The current session, or a new one from {@code opener} if there is none, it broke, it sat idle
     * longer than {@code idleLimit} (a long-idle connection may have been dropped by a firewall), or the target's
     * key or known_hosts file is no longer the one it was opened with ({@code files}, read before opening): a
     * replaced known_hosts that no longer trusts the host, or a revoked key, is applied by the next command, not
     * only by the next connection.
     */
    Lease lease(Supplier<SessionOpener.Opened> opener, Duration idleLimit, List<FileStamp> files) {
        lock.lock();
        try {
            dropIfStale(idleLimit);
            if (current != null && current.filesChangedSince(files)) {
                current.retire();
                current = null;
            }
            boolean reused = current != null;
            long since = System.nanoTime();
            if (!reused) {
                SessionOpener.Opened opened = opener.get();
                current = new PooledSession(opened.session(), files);
                since = opened.startedNanos();
            }
            current.acquire();
            return new Lease(current, reused, since);
        } finally {
            lock.unlock();
        }
    }

    /** Retires the session if it sat idle too long; skips a target that is busy connecting. */
    void closeIfIdle(Duration idleLimit) {
        if (!lock.tryLock()) {
            return;
        }
        try {
            dropIfStale(idleLimit);
        } finally {
            lock.unlock();
        }
    }

    /** Retires the current session: new commands get a new one, running ones finish first. */
    void release() {
        PooledSession released = detach(null);
        if (released != null) {
            released.retire();
        }
    }

    /** Closes the current session at once. */
    void closeNow() {
        PooledSession closing = detach(null);
        if (closing != null) {
            closing.close();
        }
    }

    boolean hasOpenSession() {
        lock.lock();
        try {
            return current != null && current.usable();
        } finally {
            lock.unlock();
        }
    }

    private void retire(PooledSession pooled) {
        detach(pooled);
        pooled.retire();
    }

    /** Under the lock: retires the current session if it broke or sat idle too long. */
    private void dropIfStale(Duration idleLimit) {
        if (current != null && (!current.usable() || current.idleLongerThan(idleLimit))) {
            current.retire();
            current = null;
        }
    }

    /** Removes and returns the current session if it is {@code expected} (or any, if null); else null. */
    private PooledSession detach(PooledSession expected) {
        lock.lock();
        try {
            if (current == null || (expected != null && current != expected)) {
                return null;
            }
            PooledSession detached = current;
            current = null;
            return detached;
        } finally {
            lock.unlock();
        }
    }
}
