package dev.greenlight.store;

import java.time.Duration;

/**
 * A patient call ({@link Jdbc#patient}) gave up: the database stayed unreachable for the whole patience. Whoever
 * waited must stop at a safe point rather than go on without a record.
 */
public final class StoreUnavailableException extends StoreException {
    public StoreUnavailableException(Duration patience, StoreException last) {
        super("the database was unreachable for " + patience.toMillis() + " ms: " + last.getMessage(), last);
    }

    /** Always: it is the last of a run of connection failures. */
    @Override
    public boolean isConnectionFailure() {
        return true;
    }
}
