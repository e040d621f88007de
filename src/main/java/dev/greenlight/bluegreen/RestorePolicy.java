package dev.greenlight.bluegreen;

import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStore;

/**
 * Whether a rollback restores the database: only when there is a backup to restore and a version to return to (a
 * first deployment has none: its rollback only stops its colour), and the new version may have written to it: it took
 * traffic (a host's switch began: {@code switched_at} is recorded a step earlier, and a cancel in between moved
 * nothing), or it may have migrated the schema on start ({@code restore-on-failed-start: true}).
 */
public final class RestorePolicy {
    private final DeploymentStore deployments;

    public RestorePolicy(DeploymentStore deployments) {
        this.deployments = deployments;
    }

    public boolean restore(DeploymentRun run) {
        if (run.environment().command("restore").isEmpty() || run.blueGreen().previousColor() == null) return false;
        var recorded = deployments.find(run.id()).orElseThrow().blueGreen();
        if (recorded.backupName() == null) return false;
        return !run.blueGreen().switchedHosts().isEmpty() || run.environment().blueGreen().restoreOnFailedStart();
    }
}
