package dev.greenlight.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a notification channel can be told, by the name {@code events: [...]} selects it with. Deployment outcomes
 * and waits come from status changes; the others are alerts raised when what they report happens.
 */
public enum NotificationEvent {
    STARTED("started", Severity.INFO),
    SUCCEEDED("succeeded", Severity.INFO),
    /** The deployment-failure alert when nothing had changed (or nothing could be rolled back to). */
    FAILED("failed", Severity.WARNING),
    /** The deployment-failure alert of a deployment whose rollback put every host back. */
    ROLLED_BACK("rolled-back", Severity.WARNING),
    /** The rollback-failure alert: the environment stays locked. */
    ROLLBACK_FAILED("rollback-failed", Severity.CRITICAL),
    CANCELLED("cancelled", Severity.INFO),
    AWAITING_APPROVAL("awaiting-approval", Severity.INFO),
    AWAITING_PROMOTION("awaiting-promotion", Severity.INFO),
    /** A host's health attempts are exhausted. */
    HEALTH_CHECK_FAILED("health-check-failed", Severity.WARNING),
    /** A host's configured disk or memory check failed at the pre-check. */
    HOST_CHECK_FAILED("host-check-failed", Severity.WARNING),
    /** The watch after a blue-green switch failed: errors or latency on live traffic. */
    ERROR_RATE("error-rate", Severity.CRITICAL),
    /** A burst of webhook deliveries whose signature was refused. */
    BAD_SIGNATURES("bad-signatures", Severity.CRITICAL),
    /** Failures or rollbacks over the review window crossed their threshold. */
    REVIEW_TRIGGER("review-trigger", Severity.WARNING);

    private final String key;
    private final Severity severity;

    NotificationEvent(String key, Severity severity) {
        this.key = key;
        this.severity = severity;
    }

    public String key() {
        return key;
    }

    public Severity severity() {
        return severity;
    }

    /** A deployment that ended badly: these reach a {@code severity: critical} channel whatever their severity. */
    public boolean failure() {
        return this == FAILED || this == ROLLED_BACK || this == ROLLBACK_FAILED;
    }

    public static Optional<NotificationEvent> parse(String key) {
        return Arrays.stream(values()).filter(e -> e.key.equals(key)).findFirst();
    }
}
