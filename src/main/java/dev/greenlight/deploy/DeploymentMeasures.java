package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.metrics.GreenlightMeters;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells Greenlight's meters about a deployment that has ended, from its stored times, so the timers agree with
 * {@code GET /api/v1/metrics}: the run from {@code started_at} to {@code finished_at}, and a rollback from its
 * {@code deployment.rolling_back} audit entry to {@code finished_at}. Measuring never fails a deployment's end.
 */
public final class DeploymentMeasures {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentMeasures.class);
    private static final String ROLLING_BACK = "deployment." + DeploymentStatus.ROLLING_BACK.key();

    private final DeploymentStore deployments;
    private final AuditLog audit;
    private final GreenlightMeters meters;

    public DeploymentMeasures(DeploymentStore deployments, AuditLog audit, GreenlightMeters meters) {
        this.deployments = deployments;
        this.audit = audit;
        this.meters = meters;
    }

    /** After the commit that moved deployment {@code id} from {@code from} to the terminal status. */
    public void finished(long id, DeploymentStatus from) {
        try {
            Deployment d = deployments.find(id).orElseThrow();
            meters.deploymentFinished(d.app(), d.environment(), d.status().key(), between(d.startedAt(), d.finishedAt()));
            if (from == DeploymentStatus.ROLLING_BACK) {
                Instant began = audit.forDeployment(id).stream().filter(e -> ROLLING_BACK.equals(e.action()))
                        .map(AuditEvent::at).findFirst().orElse(null);
                Duration took = between(began, d.finishedAt());
                if (took != null) meters.rollbackFinished(d.app(), d.environment(), d.status().key(), took);
            }
        } catch (RuntimeException e) {
            LOG.warn("deployment {} ended, but its meters could not be updated: {}", id, e.toString());
        }
    }

    private static Duration between(Instant start, Instant end) {
        return start == null || end == null ? null : Duration.between(start, end);
    }
}
