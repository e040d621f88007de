package dev.greenlight.deploy;

import java.time.Instant;

/**
 * One deployment of a version to an environment.
 *
 * @param decisionDeadline while it awaits approval or promotion: when the wait ends it cancelled
 * @param restoreRequested a manual rollback asked to restore the database from the rolled-back deployment's backup
 * @param blueGreen        what a blue-green pipeline recorded (colours, backup, switch, set-aside dump)
 * @param gitRef           the git ref a GitHub workflow run or deployment named, else null
 * @param githubDeploymentId the GitHub deployment that reports this one: the one GitHub sent (a deployment event) or
 *                         the mirror created; null until the mirror's creation is answered
 */
public record Deployment(
        long id,
        String app,
        String environment,
        String version,
        String previousVersion,
        String commitSha,
        String strategy,
        String triggerKind,
        String triggeredBy,
        DeploymentStatus status,
        String reason,
        Long rollbackOf,
        String deliveryId,
        boolean cancelRequested,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String statusDetail,
        Instant decisionDeadline,
        String approvedBy,
        Instant approvedAt,
        String promotedBy,
        Instant promotedAt,
        boolean restoreRequested,
        BlueGreenRecord blueGreen,
        String gitRef,
        Long githubDeploymentId) {
}
