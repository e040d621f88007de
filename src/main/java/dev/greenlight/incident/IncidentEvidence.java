package dev.greenlight.incident;

import dev.greenlight.audit.AuditLog;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.store.Jdbc;

/** Gathers what the records say about one deployment, for its incident report. */
public final class IncidentEvidence {
    private final DeploymentStore deployments;
    private final StepStore steps;
    private final AuditLog audit;
    private final EnvironmentLease lease;
    private final BlueGreenColumns blueGreen;

    public IncidentEvidence(DeploymentStore deployments, StepStore steps, AuditLog audit, EnvironmentLease lease,
                            Jdbc jdbc) {
        this.deployments = deployments;
        this.steps = steps;
        this.audit = audit;
        this.lease = lease;
        this.blueGreen = new BlueGreenColumns(jdbc);
    }

    public IncidentFacts gather(long deploymentId) {
        Deployment d = deployments.find(deploymentId)
                .orElseThrow(() -> new IllegalArgumentException("no deployment " + deploymentId));
        return new IncidentFacts(d, steps.forDeployment(d.id()), audit.forDeployment(d.id()),
                lease.liveVersion(d.app(), d.environment()).orElse(null), lease.lockedBy(d.app(), d.environment()),
                blueGreen.read(d.id()));
    }
}
