package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends deployments: the status change, the live version (and colour), the audit entry and the outgoing event in one
 * transaction, then the environment's lease is released (except after a failed rollback, which keeps the
 * environment locked).
 */
public final class DeploymentFinisher {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentFinisher.class);

    private final DeploymentStore deployments;
    private final EnvironmentLease lease;
    private final AuditLog audit;
    private final EventOutbox outbox;
    private final Runnable onFinished;
    private final DeploymentMeasures measures;

    /**
     * @param outbox     gets a "finished" event in the transaction that ends the deployment
     * @param onFinished told after that commit (wakes the event relay)
     * @param measures   told after that commit too (counters and timers)
     */
    public DeploymentFinisher(DeploymentStore deployments, EnvironmentLease lease, AuditLog audit, EventOutbox outbox,
                              Runnable onFinished, DeploymentMeasures measures) {
        this.deployments = deployments;
        this.lease = lease;
        this.audit = audit;
        this.outbox = outbox;
        this.onFinished = onFinished;
        this.measures = measures;
    }

    public void succeeded(long id) {
        finish(id, DeploymentStatus.RUNNING, DeploymentStatus.SUCCEEDED, null);
    }

    /**
     * Moves {@code id} from {@code from} to the terminal {@code to}; false if it was not in {@code from}.
     * A succeeded deployment becomes the environment's live version.
     */
    public boolean finish(long id, DeploymentStatus from, DeploymentStatus to, String detail) {
        Deployment d = deployments.find(id).orElseThrow();
        boolean moved = deployments.inTransaction(c -> {
            if (!deployments.transition(c, id, from, to, detail)) return false;
            if (to == DeploymentStatus.SUCCEEDED) {
                lease.setLive(c, d.app(), d.environment(), d.version(), d.blueGreen().color(), id);
            }
            audit.record(c, AuditEvent.of("greenlight", "deployment." + to.key(), to.key())
                    .target(d.app(), d.environment(), d.version()).deployment(id).detail(detail));
            outbox.record(c, id, EventOutbox.FINISHED);
            return true;
        });
        if (!moved) {
            LOG.warn("deployment {} was no longer {} when it should become {}", id, from.key(), to.key());
            return false;
        }
        LOG.info("deployment {} ({}/{} {}) {}{}", id, d.app(), d.environment(), d.version(), to.key(),
                detail == null ? "" : ": " + detail);
        if (to == DeploymentStatus.ROLLBACK_FAILED) {
            lease.lockAfterFailedRollback(d.app(), d.environment(), id);
        } else {
            lease.release(d.app(), d.environment());
        }
        measures.finished(id, from);
        onFinished.run();
        return true;
    }

    /**
     * Ends a deployment that waits without a pipeline or a lease (awaiting approval: rejected, expired, cancelled):
     * the status change, {@code event} (who ended it) and the outgoing event in one transaction. The lease is not
     * touched: the waiting deployment holds none, and whatever holds it now is another deployment's business.
     *
     * @return false when it was no longer in {@code from}
     */
    public boolean endWaiting(Deployment d, DeploymentStatus from, DeploymentStatus to, String detail,
                              AuditEvent event) {
        boolean moved = deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), from, to, detail)) return false;
            audit.record(c, event.target(d.app(), d.environment(), d.version()).deployment(d.id()));
            outbox.record(c, d.id(), EventOutbox.FINISHED);
            return true;
        });
        if (moved) {
            LOG.info("deployment {} ({}/{} {}) {}: {}", d.id(), d.app(), d.environment(), d.version(), to.key(), detail);
            measures.finished(d.id(), from);
            onFinished.run();
        }
        return moved;
    }

    /** A status change that does not end the deployment (running → rolling_back). */
    public boolean move(long id, DeploymentStatus from, DeploymentStatus to, String detail) {
        Deployment d = deployments.find(id).orElseThrow();
        return deployments.inTransaction(c -> {
            if (!deployments.transition(c, id, from, to, detail)) return false;
            audit.record(c, AuditEvent.of("greenlight", "deployment." + to.key(), to.key())
                    .target(d.app(), d.environment(), d.version()).deployment(id).detail(detail));
            return true;
        });
    }
}
