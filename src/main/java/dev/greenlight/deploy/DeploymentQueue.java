package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import java.sql.Connection;
import java.sql.SQLException;

/** Puts deployments in their environment's queue, each together with its audit entry. */
public final class DeploymentQueue {
    private final DeploymentStore deployments;
    private final AuditLog audit;

    public DeploymentQueue(DeploymentStore deployments, AuditLog audit) {
        this.deployments = deployments;
        this.audit = audit;
    }

    /** Queues inside the caller's transaction (a webhook delivery queues several at once, or none). */
    public Deployment enqueue(Connection c, DeploymentRequest request, String source) throws SQLException {
        if (!Versions.isValidTag(request.version())) {
            throw new IllegalArgumentException(Versions.invalidTagMessage(request.version()));
        }
        // shared with other enqueues, exclusive against the dispatcher's pick: ids (arrival order) never surface late
        deployments.lockQueue(c, request.app(), request.environment(), false);
        Deployment d = deployments.create(c, request);
        audit.record(c, AuditEvent.of(request.triggeredBy(), "deployment.queued", "accepted")
                .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source)
                .detail(request.triggerKind().key() + (request.reason() == null ? "" : ": " + request.reason())));
        return d;
    }

    public Deployment enqueue(DeploymentRequest request, String source) {
        return deployments.inTransaction(c -> enqueue(c, request, source));
    }
}
