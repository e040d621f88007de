package dev.greenlight.approval;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentFinisher;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import java.time.Clock;
import java.time.Instant;

/**
 * What a person decides about a waiting deployment: approve it (queued again, it runs from the pre-checks), reject it
 * (cancelled), promote it (running again, its pipeline goes on to the switch). Each is one guarded transition with its
 * audit entry and the decider recorded in the same transaction; false when the deployment no longer waited for it.
 * Who may decide is the API's to check.
 */
public final class Decisions {
    private final DeploymentStore deployments;
    private final WaitStore waits;
    private final DeploymentFinisher finisher;
    private final AuditLog audit;
    private final Clock clock;

    public Decisions(DeploymentStore deployments, WaitStore waits, DeploymentFinisher finisher, AuditLog audit,
                     Clock clock) {
        this.deployments = deployments;
        this.waits = waits;
        this.finisher = finisher;
        this.audit = audit;
        this.clock = clock;
    }

    public boolean approve(Deployment d, String actor, String source, String reason) {
        return deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), DeploymentStatus.AWAITING_APPROVAL, DeploymentStatus.QUEUED,
                    "approved by " + actor + ": queued to run from its pre-checks")) {
                return false;
            }
            waits.approved(c, d.id(), actor, Instant.now(clock));
            audit.record(c, AuditEvent.of(actor, "deployment.approved", "approved")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source).detail(reason));
            return true;
        });
    }

    public boolean reject(Deployment d, String actor, String source, String reason) {
        return finisher.endWaiting(d, DeploymentStatus.AWAITING_APPROVAL, DeploymentStatus.CANCELLED,
                "rejected by " + actor + (reason == null ? "" : ": " + reason),
                AuditEvent.of(actor, "deployment.rejected", "cancelled").source(source).detail(reason));
    }

    public boolean promote(Deployment d, String actor, String source, String reason) {
        return deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), DeploymentStatus.AWAITING_PROMOTION, DeploymentStatus.RUNNING,
                    "promoted by " + actor + ": switching traffic")) {
                return false;
            }
            waits.promoted(c, d.id(), actor, Instant.now(clock));
            audit.record(c, AuditEvent.of(actor, "deployment.promoted", "promoted")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source).detail(reason));
            return true;
        });
    }
}
