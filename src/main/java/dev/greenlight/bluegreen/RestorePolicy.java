package dev.greenlight.bluegreen;

import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStore;

/**
 * Whether a rollback restores the database: only when there is a backup to restore, and the new version may have
 * written to it: it took traffic (the switch began), or it may have migrated the schema on start
 * ({@code restore-on-failed-start: true}).
 */
public final class RestorePolicy {
    private final DeploymentStore deployments;

    public RestorePolicy(DeploymentStore deployments) {
        this.deployments = deployments;
    }

    public boolean restore(DeploymentRun run) {
        if (run.environment().command("restore").isEmpty()) return false;
        var recorded = deployments.find(run.id()).orElseThrow().blueGreen();
        if (recorded.backupName() == null) return false;
        return recorded.switchedAt() != null || run.environment().blueGreen().restoreOnFailedStart();
    }
}
