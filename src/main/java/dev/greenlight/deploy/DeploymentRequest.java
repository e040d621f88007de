package dev.greenlight.deploy;

/** What a trigger asks for; becomes a queued {@link Deployment}. */
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
        String deliveryId) {
}
