package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends deployments: the status change, the live version and the audit entry in one transaction, then the
 * environment's lease is released (except after a failed rollback, which keeps the environment locked).
 */
public final class DeploymentFinisher {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentFinisher.class);

    private final DeploymentStore deployments;
    private final EnvironmentLease lease;
    private final AuditLog audit;

    private final Consumer<Deployment> onFinished;

    public DeploymentFinisher(DeploymentStore deployments, EnvironmentLease lease, AuditLog audit) {
        this(deployments, lease, audit, d -> { });
    }

    /** @param onFinished told of every deployment that ended (notifications, commit statuses) */
    public DeploymentFinisher(DeploymentStore deployments, EnvironmentLease lease, AuditLog audit,
                              Consumer<Deployment> onFinished) {
        this.deployments = deployments;
        this.lease = lease;
        this.audit = audit;
        this.onFinished = onFinished;
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
                lease.setLive(c, d.app(), d.environment(), d.version(), id);
            }
            audit.record(c, AuditEvent.of("greenlight", "deployment." + to.key(), to.key())
                    .target(d.app(), d.environment(), d.version()).deployment(id).detail(detail));
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
        onFinished.accept(deployments.find(id).orElseThrow());
        return true;
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
