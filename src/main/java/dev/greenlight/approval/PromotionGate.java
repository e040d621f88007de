package dev.greenlight.approval;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.BlueGreenSpec;
import dev.greenlight.config.Durations;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentCancelledException;
import dev.greenlight.deploy.DeploymentNotices;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.StepFailedException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's promotion point (route {@code await-promotion}), with the idle colour deployed and healthy, before the
 * switch. With {@code promotion: manual} the pipeline waits there in {@code awaiting_promotion}, keeping its lease,
 * polling the database each round of the route's loop: a promote moves the deployment back to running and the
 * pipeline goes on; a cancel or the deadline moves it back to running too, so that the rollback takes over a running
 * deployment as everywhere else, and the cancel point stops the pipeline.
 */
public final class PromotionGate {
    private static final Logger LOG = LoggerFactory.getLogger(PromotionGate.class);

    private final DeploymentStore deployments;
    private final WaitStore waits;
    private final AuditLog audit;
    private final DeploymentNotices notices;

    /** @param notices told of the wait in its transaction, so the channels hear that a promote is awaited */
    public PromotionGate(DeploymentStore deployments, WaitStore waits, AuditLog audit, DeploymentNotices notices) {
        this.deployments = deployments;
        this.waits = waits;
        this.audit = audit;
        this.notices = notices;
    }

    public boolean required(DeploymentRun run) {
        BlueGreenSpec bg = run.environment().blueGreen();
        return bg != null && bg.manualPromotion();
    }

    /** Running → awaiting promotion, with its deadline and audit entry in one transaction. */
    public void hold(DeploymentRun run) {
        Deployment d = run.deployment();
        Duration timeout = run.environment().blueGreen().promotionTimeout();
        String detail = "awaiting promotion: the idle colour runs " + d.version() + " and is healthy; POST "
                + "/api/v1/deployments/" + d.id() + "/promote switches traffic to it, a cancel stops it (within "
                + Durations.format(timeout) + ")";
        boolean held = deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), DeploymentStatus.RUNNING, DeploymentStatus.AWAITING_PROMOTION,
                    detail)) {
                return false;
            }
            waits.setDeadline(c, d.id(), timeout);
            audit.record(c, AuditEvent.of("greenlight", "deployment.awaiting_promotion", "awaiting_promotion")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).detail(detail));
            notices.changed(c, d.id());
            return true;
        });
        if (!held) {
            throw new StepFailedException("deployment " + d.id() + " was no longer running when it should wait for "
                    + "promotion");
        }
        notices.wake();
        LOG.info("deployment {} ({}/{} {}) awaits promotion", d.id(), d.app(), d.environment(), d.version());
    }

    /**
     * One round of the wait: true once promoted (running again). A requested cancel ends the wait (the cancel point
     * after this throws); so does the deadline, which stops the pipeline here.
     */
    public boolean poll(DeploymentRun run) {
        WaitStore.PromotionState state = waits.promotionState(run.id()).orElseThrow();
        if (state.status() == DeploymentStatus.RUNNING) return true;
        if (state.status() != DeploymentStatus.AWAITING_PROMOTION) {
            throw new StepFailedException("deployment " + run.id() + " became " + state.status().key()
                    + " while awaiting promotion");
        }
        if (deployments.cancelRequested(run.id())) {
            resume(run, "cancelled while awaiting promotion", "deployment.promotion-cancelled");
            return false;
        }
        if (state.expired()) {
            String why = "promotion expired after " + Durations.format(run.environment().blueGreen().promotionTimeout())
                    + ": nobody promoted it";
            // a promote that came in just before the deadline was judged wins
            if (!resume(run, why, "deployment.promotion-expired")) return true;
            throw new DeploymentCancelledException(why);
        }
        return false;
    }

    /**
     * Awaiting promotion → running, so the rollback finds the deployment where it expects it; false when it was no
     * longer awaiting promotion (promoted meanwhile).
     */
    private boolean resume(DeploymentRun run, String detail, String action) {
        Deployment d = run.deployment();
        return deployments.inTransaction(c -> {
            if (!deployments.transition(c, d.id(), DeploymentStatus.AWAITING_PROMOTION, DeploymentStatus.RUNNING,
                    detail)) {
                return false;
            }
            waits.clearDeadline(c, d.id());
            audit.record(c, AuditEvent.of("greenlight", action, "running")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).detail(detail));
            return true;
        });
    }
}
