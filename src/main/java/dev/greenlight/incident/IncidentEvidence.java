package dev.greenlight.incident;

import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.Strategy;
import dev.greenlight.deploy.BlueGreenRecord;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.StepStore;
import java.util.Optional;

/** Gathers what the records say about one deployment, for its incident report. */
public final class IncidentEvidence {
    private final DeploymentStore deployments;
    private final StepStore steps;
    private final AuditLog audit;
    private final EnvironmentLease lease;

    public IncidentEvidence(DeploymentStore deployments, StepStore steps, AuditLog audit, EnvironmentLease lease) {
        this.deployments = deployments;
        this.steps = steps;
        this.audit = audit;
        this.lease = lease;
    }

    public IncidentFacts gather(long deploymentId) {
        Deployment d = deployments.find(deploymentId)
                .orElseThrow(() -> new IllegalArgumentException("no deployment " + deploymentId));
        return new IncidentFacts(d, steps.forDeployment(d.id()), audit.forDeployment(d.id()),
                lease.liveVersion(d.app(), d.environment()).orElse(null), lease.lockedBy(d.app(), d.environment()),
                blueGreen(d));
    }

    /** What a blue-green deployment recorded, with the environment's live colour after its rollback. */
    private Optional<BlueGreenFacts> blueGreen(Deployment d) {
        if (!Strategy.BLUE_GREEN.key().equals(d.strategy())) return Optional.empty();
        BlueGreenRecord bg = d.blueGreen();
        return Optional.of(new BlueGreenFacts(bg.color(), bg.previousColor(), bg.backupName(), bg.backupAt(),
                bg.switchedAt(), bg.setAsideName(), bg.setAsideAt(),
                lease.liveColor(d.app(), d.environment()).orElse(null)));
    }
}
