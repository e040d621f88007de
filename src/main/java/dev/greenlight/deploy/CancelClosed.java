package dev.greenlight.deploy;

import java.util.Arrays;
import java.util.Optional;

/** Why a running deployment no longer takes a cancel: it passed its last cancel point, or its rollback began. */
public enum CancelClosed {
    FINISHING("finishing", "has passed its last cancel point (every host is updated, checked and smoke-tested) and is "
            + "finishing: it can no longer be cancelled"),
    ROLLING_BACK("rolling-back", "is rolling back what it changed: a rollback is not cancelled, it runs to its end");

    private final String key;
    private final String refusal;

    CancelClosed(String key, String refusal) {
        this.key = key;
        this.refusal = refusal;
    }

    public String key() {
        return key;
    }

    /** The refusal of a cancel, completing "deployment 12 …". */
    public String refusal() {
        return refusal;
    }

    public static Optional<CancelClosed> parse(String key) {
        return Arrays.stream(values()).filter(c -> c.key.equals(key)).findFirst();
    }
}
