package dev.greenlight.deploy;

import java.time.Instant;

/** One deployment of a version to an environment; {@code blueGreen} holds what a blue-green pipeline recorded. */
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
        BlueGreenRecord blueGreen) {
}
