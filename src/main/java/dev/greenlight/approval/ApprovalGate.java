package dev.greenlight.approval;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.BlueGreenSpec;
import dev.greenlight.config.Durations;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentNotices;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.StepFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's approval point (route {@code await-approval}), after the pre-checks and before anything changes. An
 * environment with {@code approval: required} holds a deployment nobody has approved yet: it waits in
 * {@code awaiting_approval} without a pipeline and without the lease, and once approved it is queued again and runs
 * afresh from the pre-checks, when this point lets it pass.
 */
public final class ApprovalGate {
    private static final Logger LOG = LoggerFactory.getLogger(ApprovalGate.class);

    private final DeploymentStore deployments;
    private final WaitStore waits;
    private final EnvironmentLease lease;
    private final AuditLog audit;
    private final DeploymentNotices notices;

    /** @param notices told of the wait in its transaction, so the channels hear who may approve it */
    public ApprovalGate(DeploymentStore deployments, WaitStore waits, EnvironmentLease lease, AuditLog audit,
                        DeploymentNotices notices) {
        this.deployments = deployments;
        this.waits = waits;
        this.lease = lease;
        this.audit = audit;
        this.notices = notices;
    }

    /** True when the deployment must wait for an approval first. */
    public boolean required(DeploymentRun run) {
        BlueGreenSpec bg = run.environment().blueGreen();
        return bg != null && bg.approvalRequired() && run.deployment().approvedAt() == null;
    }

    /**
     * Running → awaiting approval, with its deadline and audit entry in one transaction; then the lease is freed, so
     * the environment is held by no pipeline while nobody decides (the dispatcher starts nothing behind it).
     */
    public void hold(DeploymentRun run) {
        Deployment d = run.deployment();
        var timeout = run.environment().blueGreen().approvalTimeout();
        String detail = "awaiting approval: a token other than " + d.triggeredBy() + " may approve it (POST "
                + "/api/v1/deployments/" + d.id() + "/approve) within " + Durations.format(timeout);
        boolean held = deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), DeploymentStatus.RUNNING, DeploymentStatus.AWAITING_APPROVAL, detail)) {
                return false;
            }
            waits.setDeadline(c, d.id(), timeout);
            audit.record(c, AuditEvent.of("greenlight", "deployment.awaiting_approval", "awaiting_approval")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).detail(detail));
            notices.changed(c, d.id());
            return true;
        });
        if (!held) throw new StepFailedException("deployment " + d.id() + " was no longer running when it should "
                + "wait for approval");
        lease.release(d.app(), d.environment());
        notices.wake();
        LOG.info("deployment {} ({}/{} {}) awaits approval", d.id(), d.app(), d.environment(), d.version());
    }
}
