package dev.greenlight.bluegreen;

import dev.greenlight.config.HostAddress;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStore;
import java.time.Clock;
import java.time.Instant;

/**
 * The bookkeeping of the switch: when traffic began to move (recorded before the first host's switch: from then on a
 * rollback restores the database), and each host added to the switched ones before its switch command runs, so that a
 * switch that fails half-way is still put back.
 */
public final class Switches {
    private final DeploymentStore deployments;
    private final Clock clock;

    public Switches(DeploymentStore deployments, Clock clock) {
        this.deployments = deployments;
        this.clock = clock;
    }

    public void begin(DeploymentRun run) {
        deployments.recordSwitch(run.id(), Instant.now(clock));
    }

    public void switching(DeploymentRun run, HostAddress host) {
        run.blueGreen().switched(host);
    }
}
