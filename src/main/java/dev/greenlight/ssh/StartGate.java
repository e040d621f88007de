package dev.greenlight.ssh;

import java.util.concurrent.Semaphore;

/**
 * Bounds how many sessions are being opened at once (connect, key exchange, authentication) by the endpoints that
 * share it: one environment's ({@code ssh.max-concurrent-starts}). Opening sessions costs CPU on both ends, and a
 * fleet opened all at once can take longer than any connect timeout. Waiting here is first come, first served, and
 * is not counted against a connection's or command's time limits.
 */
final class StartGate {
    private final Semaphore permits;

    StartGate(int limit) {
        if (limit < 1) throw new IllegalArgumentException("at least one concurrent start is needed, got " + limit);
        this.permits = new Semaphore(limit, true);
    }

    /** Waits for a turn to open a session to {@code target}. */
    void enter(SshTarget target) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshException("interrupted while waiting for a turn to connect to " + target.address(), e);
        }
    }

    void leave() {
        permits.release();
    }
}
