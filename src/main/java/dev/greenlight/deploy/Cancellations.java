package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;

/** Cancelling: a queued deployment ends at once; a running one is asked to stop after its current step. */
public final class Cancellations {
    private final DeploymentStore deployments;
    private final AuditLog audit;

    public Cancellations(DeploymentStore deployments, AuditLog audit) {
        this.deployments = deployments;
        this.audit = audit;
    }

    /** False when it was no longer queued (the dispatcher started it meanwhile). */
    public boolean cancelQueued(Deployment d, String actor, String source) {
        return deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), DeploymentStatus.QUEUED, DeploymentStatus.CANCELLED,
                    "cancelled by " + actor + " before it started")) {
                return false;
            }
            audit.record(c, AuditEvent.of(actor, "deployment.cancelled", "cancelled")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source));
            return true;
        });
    }

    /** Flags a running deployment; the pipeline checks the flag between steps and rolls back what it changed. */
    public boolean requestStop(Deployment d, String actor, String source) {
        if (!deployments.requestCancel(d.id())) return false;
        audit.record(AuditEvent.of(actor, "deployment.cancel-requested", "accepted")
                .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source));
        return true;
    }
}
