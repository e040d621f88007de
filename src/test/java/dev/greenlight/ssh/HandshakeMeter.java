package dev.greenlight.ssh;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts, on the server side, the SSH handshakes in flight: from the accepted connection to its authentication (or
 * its end, if it never authenticates). One meter shared by several embedded servers counts across all of them.
 */
public final class HandshakeMeter {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();

    void started() {
        int now = inFlight.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
    }

    void ended() {
        inFlight.decrementAndGet();
        completed.incrementAndGet();
    }

    /** The most handshakes that were in flight at one moment. */
    public int most() {
        return most.get();
    }

    /** Handshakes that ended (authenticated or not). */
    public int completed() {
        return completed.get();
    }
}
