package dev.greenlight.deploy;

import java.time.Instant;

/**
 * What a trigger asks for; becomes a queued {@link Deployment}.
 *
 * @param restoreRequested a manual rollback that asks for the database to be restored too
 * @param commitTime       when the deployed commit was made, if the trigger said (a push): its lead time starts there
 */
public record DeploymentRequest(
        String app,
        String environment,
        String version,
        String commitSha,
        String strategy,
        TriggerKind triggerKind,
        String triggeredBy,
        String reason,
        Long rollbackOf,
        String deliveryId,
        boolean restoreRequested,
        Instant commitTime) {

    public DeploymentRequest(String app, String environment, String version, String commitSha, String strategy,
                             TriggerKind triggerKind, String triggeredBy, String reason, Long rollbackOf,
                             String deliveryId) {
        this(app, environment, version, commitSha, strategy, triggerKind, triggeredBy, reason, rollbackOf, deliveryId,
                false);
    }

    public DeploymentRequest(String app, String environment, String version, String commitSha, String strategy,
                             TriggerKind triggerKind, String triggeredBy, String reason, Long rollbackOf,
                             String deliveryId, boolean restoreRequested) {
        this(app, environment, version, commitSha, strategy, triggerKind, triggeredBy, reason, rollbackOf, deliveryId,
                restoreRequested, null);
    }
}
