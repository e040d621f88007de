package dev.greenlight.approval;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.config.Durations;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentFinisher;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;

/**
 * The timer's side of approvals (route {@code approval-deadlines}): a deployment nobody approved within its
 * environment's {@code approval-timeout} ends cancelled. A promotion's deadline is judged by its waiting pipeline
 * ({@link PromotionGate#poll}), which has a rollback to run.
 */
public final class ApprovalDeadlines {
    private final CurrentConfig config;
    private final DeploymentStore deployments;
    private final WaitStore waits;
    private final DeploymentFinisher finisher;

    public ApprovalDeadlines(CurrentConfig config, DeploymentStore deployments, WaitStore waits,
                             DeploymentFinisher finisher) {
        this.config = config;
        this.deployments = deployments;
        this.waits = waits;
        this.finisher = finisher;
    }

    /** @return how many expired now */
    public int expire() {
        int expired = 0;
        for (long id : waits.expiredApprovals()) {
            Deployment d = deployments.find(id).orElseThrow();
            String why = "approval expired" + config.get().environment(d.app(), d.environment())
                    .filter(env -> env.blueGreen() != null)
                    .map(env -> " after " + Durations.format(env.blueGreen().approvalTimeout())).orElse("")
                    + ": nobody approved it";
            // guarded: an approval or a cancel that came first wins
            if (finisher.endWaiting(d, DeploymentStatus.AWAITING_APPROVAL, DeploymentStatus.CANCELLED, why,
                    AuditEvent.of("greenlight", "deployment.approval-expired", "cancelled").detail(why))) {
                expired++;
            }
        }
        return expired;
    }
}
