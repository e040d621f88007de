package dev.greenlight.deploy;

import java.util.Arrays;
import java.util.Optional;

/**
 * Where a deployment is in its life; a change is one guarded update, so two actors never both move it. A deployment
 * awaiting approval has no pipeline (it runs again from the start once approved); one awaiting promotion keeps its
 * pipeline, waiting before the switch.
 */
public enum DeploymentStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, ROLLING_BACK, ROLLED_BACK, ROLLBACK_FAILED, CANCELLED,
    AWAITING_APPROVAL, AWAITING_PROMOTION;

    public String key() {
        return name().toLowerCase();
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == ROLLED_BACK || this == ROLLBACK_FAILED || this == CANCELLED;
    }

    public static Optional<DeploymentStatus> parse(String key) {
        return Arrays.stream(values()).filter(s -> s.key().equals(key)).findFirst();
    }
}
