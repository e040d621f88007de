package dev.greenlight.deploy;

/**
 * What a trigger asks for; becomes a queued {@link Deployment}.
 *
 * @param restoreRequested a manual rollback that asks for the database to be restored too
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
        boolean restoreRequested) {

    public DeploymentRequest(String app, String environment, String version, String commitSha, String strategy,
                             TriggerKind triggerKind, String triggeredBy, String reason, Long rollbackOf,
                             String deliveryId) {
        this(app, environment, version, commitSha, strategy, triggerKind, triggeredBy, reason, rollbackOf, deliveryId,
                false);
    }
}
