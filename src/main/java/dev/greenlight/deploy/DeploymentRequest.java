package dev.greenlight.deploy;

import java.time.Instant;

/**
 * What a trigger asks for; becomes a queued {@link Deployment}.
 *
 * @param restoreRequested a manual rollback that asks for the database to be restored too
 * @param commitTime       when the deployed commit was made, if the trigger said (a push): its lead time starts there
 * @param gitRef           the git ref a GitHub workflow run or deployment named
 * @param githubDeploymentId the GitHub deployment GitHub sent (a deployment event), to report back on
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
        Instant commitTime,
        String gitRef,
        Long githubDeploymentId) {

    public DeploymentRequest(String app, String environment, String version, String commitSha, String strategy,
                             TriggerKind triggerKind, String triggeredBy, String reason, Long rollbackOf,
                             String deliveryId, boolean restoreRequested, Instant commitTime) {
        this(app, environment, version, commitSha, strategy, triggerKind, triggeredBy, reason, rollbackOf, deliveryId,
                restoreRequested, commitTime, null, null);
    }

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
