package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import java.util.Optional;

/**
 * Cancelling: a queued deployment, or one awaiting approval, ends at once; a running one (or one awaiting promotion)
 * stops after its current step and rolls back what it
 * changed. A cancel is never accepted and then dropped: once the pipeline has passed its last cancel point, or its
 * rollback has begun, a cancel is refused, saying why (the pipeline closes cancels with a guarded update, see
 * {@link DeploymentStore#closeCancels}).
 */
public final class Cancellations {
    private final DeploymentStore deployments;
    private final AuditLog audit;
    private final DeploymentFinisher finisher;
    private final EventOutbox outbox;

    public Cancellations(DeploymentStore deployments, AuditLog audit, DeploymentFinisher finisher, EventOutbox outbox) {
        this.deployments = deployments;
        this.audit = audit;
        this.finisher = finisher;
        this.outbox = outbox;
    }

    /**
     * A deployment awaiting approval has no pipeline to stop: it ends at once. False when it no longer awaited
     * approval (it was approved, rejected or expired meanwhile).
     */
    public boolean cancelAwaitingApproval(Deployment d, String actor, String source, String reason) {
        return finisher.endWaiting(d, DeploymentStatus.AWAITING_APPROVAL, DeploymentStatus.CANCELLED,
                "cancelled by " + actor + " while awaiting approval",
                AuditEvent.of(actor, "deployment.cancelled", "cancelled").source(source).detail(reason));
    }

    /**
     * False when it was no longer queued (the dispatcher started it meanwhile).
     *
     * @param reason the caller's, for the audit trail; may be null
     */
    public boolean cancelQueued(Deployment d, String actor, String source, String reason) {
        return deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), DeploymentStatus.QUEUED, DeploymentStatus.CANCELLED,
                    "cancelled by " + actor + " before it started")) {
                return false;
            }
            audit.record(c, AuditEvent.of(actor, "deployment.cancelled", "cancelled")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source).detail(reason));
            // a deployment GitHub asked for (a deployment event) is told its end even though it never started
            if (d.githubDeploymentId() != null) outbox.record(c, d.id(), EventOutbox.FINISHED);
            return true;
        });
    }

    /**
     * Flags a running deployment; the pipeline checks the flag before each step and rolls back what it changed.
     *
     * @return empty when the cancel was accepted (it will take effect), otherwise why it cannot be
     */
    public Optional<String> requestStop(Deployment d, String actor, String source, String reason) {
        if (deployments.requestCancel(d.id())) {
            audit.record(AuditEvent.of(actor, "deployment.cancel-requested", "accepted")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source).detail(reason));
            return Optional.empty();
        }
        Deployment now = deployments.find(d.id()).orElseThrow();
        Optional<CancelClosed> closed = deployments.cancelsClosed(d.id());
        if (closed.isPresent() && !now.status().terminal()) {
            return Optional.of("deployment " + d.id() + " " + closed.get().refusal());
        }
        if (now.status() == DeploymentStatus.ROLLING_BACK) {
            return Optional.of("deployment " + d.id() + " " + CancelClosed.ROLLING_BACK.refusal());
        }
        return Optional.of("deployment " + d.id() + " is " + now.status().key()
                + ": only queued, running, approval- or promotion-awaiting deployments can be cancelled");
    }
}
