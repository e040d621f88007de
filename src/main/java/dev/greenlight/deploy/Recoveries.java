package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over the deployments whose instance (or pipeline) died: where a deployment still says it runs but its
 * environment's lease has lapsed, this instance takes the lease and hands the deployment to the recovery route
 * (routes/recovery.camel.yaml), which rolls it back. The takeover is audited ({@code deployment.recovering}, naming
 * the instance whose lease lapsed and the one recovering), and the step that was under way is closed as interrupted.
 */
public final class Recoveries {
    private static final Logger LOG = LoggerFactory.getLogger(Recoveries.class);

    private final DeploymentStore deployments;
    private final EnvironmentLease lease;
    private final StepStore steps;
    private final AuditLog audit;

    public Recoveries(DeploymentStore deployments, EnvironmentLease lease, StepStore steps, AuditLog audit) {
        this.deployments = deployments;
        this.lease = lease;
        this.steps = steps;
        this.audit = audit;
    }

    /**
     * One deployment per interrupted environment, the oldest: the lease is this instance's from here, so nothing else
     * starts there until the recovery has ended it. A newer one left unfinished is taken over on a later round.
     *
     * @return the deployments to recover, for the recovery route
     */
    public List<Long> takeOver() {
        List<Long> taken = new ArrayList<>();
        for (DeploymentStore.Interrupted env : deployments.interrupted()) {
            if (!lease.tryAcquire(env.app(), env.environment())) continue; // another instance was quicker
            List<Deployment> orphans = deployments.unfinished(env.app(), env.environment());
            if (orphans.isEmpty()) {
                lease.release(env.app(), env.environment()); // ended meanwhile by whoever ran it
                continue;
            }
            Deployment d = orphans.get(0);
            takeOver(d, env.holder());
            taken.add(d.id());
        }
        return taken;
    }

    private void takeOver(Deployment d, String deadHolder) {
        steps.closeInterrupted(d.id(), "interrupted: the Greenlight instance running this step stopped before it "
                + "ended; the recovery re-checks the hosts");
        String detail = "instance " + (deadHolder == null ? "(none)" : deadHolder) + " stopped while the deployment was "
                + d.status().key() + "; instance " + lease.holder() + " recovers it: " + plan(d);
        audit.record(AuditEvent.of("greenlight", "deployment.recovering", "recovering")
                .target(d.app(), d.environment(), d.version()).deployment(d.id()).detail(detail));
        LOG.warn("deployment {} ({}/{} {}): {}", d.id(), d.app(), d.environment(), d.version(), detail);
    }

    /** The rule, as the audit entry states it (the rollback decides the same from the same records). */
    private static String plan(Deployment d) {
        if (d.status() == DeploymentStatus.ROLLING_BACK) return "its rollback is run again";
        if (d.previousVersion() == null) {
            return "a first deployment has nothing to return to: it ends failed (a blue-green one's colour is stopped)";
        }
        return "its new version had not passed all its checks, so it is rolled back to " + d.previousVersion();
    }
}
