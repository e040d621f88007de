package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.CurrentConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the next queued deployment of every environment whose lease it can take. Environments run in parallel;
 * within one, deployments run strictly one at a time in arrival order, because only the lease holder starts one.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final CurrentConfig config;
    private final DeploymentStore deployments;
    private final EnvironmentLease lease;
    private final DeploymentFinisher finisher;
    private final StepStore steps;
    private final AuditLog audit;
    private final EventOutbox outbox;
    private final Runnable onStarted;

    /**
     * @param steps     closes the steps an interrupted deployment left open
     * @param outbox    gets a "started" event in the transaction that starts a deployment
     * @param onStarted told after that commit (wakes the event relay)
     */
    public Dispatcher(CurrentConfig config, DeploymentStore deployments, EnvironmentLease lease,
                      DeploymentFinisher finisher, StepStore steps, AuditLog audit, EventOutbox outbox,
                      Runnable onStarted) {
        this.outbox = outbox;
        this.onStarted = onStarted;
        this.config = config;
        this.deployments = deployments;
        this.lease = lease;
        this.finisher = finisher;
        this.steps = steps;
        this.audit = audit;
    }

    /**
     * Registers every environment of {@code config}: at start-up, and before a reload puts a configuration in force,
     * so that the environments it adds have their lease by the time the dispatcher sees them.
     */
    public void registerEnvironments(GreenlightConfig config) {
        config.environments().forEach(e -> lease.register(e.app(), e.name()));
        // the name leases, lease takeovers and the environments API show for this instance
        LOG.info("this instance takes environment leases as {}", lease.holder());
    }

    /** @return ids of the deployments started now, for the pipeline runner */
    public List<Long> dispatch() {
        for (String[] env : lease.lapsed()) {
            // a dead instance's environment, queued or not: taken over (audited), its deployment settled under the
            // lease (which that frees, or locks after a failed rollback), and what is left released. Another
            // instance that took it first settles it instead.
            if (!lease.tryAcquire(env[0], env[1])) continue;
            settleInterrupted(env[0], env[1]);
            lease.release(env[0], env[1]);
        }
        List<Long> started = new ArrayList<>();
        for (EnvironmentConfig env : config.get().environments().toList()) {
            if (deployments.nextQueued(env.app(), env.name()).isEmpty() || !lease.tryAcquire(env.app(), env.name())) {
                continue;
            }
            // the lease may have lapsed only now: whatever still says it runs there is a dead instance's. Settling
            // it releases the lease (or locks it after a failed rollback), so it is taken again before going on.
            if (settleInterrupted(env.app(), env.name()) && !lease.tryAcquire(env.app(), env.name())) continue;
            start(env).ifPresentOrElse(started::add, () -> lease.release(env.app(), env.name()));
        }
        return started;
    }

    /**
     * Under the lease: takes the oldest queued deployment; it is only ours if the guarded update says so. The queue's
     * lock is taken exclusively first: it waits for every enqueue of this environment still in flight, so no
     * deployment with a smaller id can become visible after this pick.
     */
    private Optional<Long> start(EnvironmentConfig env) {
        String live = lease.liveVersion(env.app(), env.name()).orElse(null);
        Optional<Deployment> started = deployments.inTransaction(c -> {
            deployments.lockQueue(c, env.app(), env.name(), true);
            Optional<Deployment> next = deployments.nextQueued(c, env.app(), env.name());
            if (next.isEmpty()) return next;
            Deployment d = next.get();
            if (!deployments.transition(c, d.id(), DeploymentStatus.QUEUED, DeploymentStatus.RUNNING, null)) {
                return Optional.empty();
            }
            deployments.setPreviousVersion(c, d.id(), live);
            audit.record(c, AuditEvent.of("greenlight", "deployment.running", "running")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id())
                    .detail("previous version: " + (live == null ? "none" : live)));
            outbox.record(c, d.id(), EventOutbox.STARTED);
            return next;
        });
        if (started.isEmpty()) return Optional.empty();
        Deployment d = started.get();
        LOG.info("deployment {} started: {}/{} {} -> {}", d.id(), d.app(), d.environment(), live, d.version());
        onStarted.run();
        return Optional.of(d.id());
    }

    /**
     * A deployment that still says it runs where its lease lapsed: the instance running it died, or its pipeline
     * did. Its steps say how far it got: the one that was under way when it stopped is closed as interrupted (it
     * would otherwise say running forever). The deployment is marked so a person can look (a rollback in flight
     * becomes rollback_failed, which locks the environment), and the finisher frees or locks the lease as the
     * outcome requires.
     *
     * @return true when there was such a deployment
     */
    private boolean settleInterrupted(String app, String environment) {
        List<Deployment> orphans = deployments.unfinished(app, environment);
        for (Deployment d : orphans) {
            steps.closeInterrupted(d.id(), "interrupted: the Greenlight instance running this step stopped before "
                    + "it ended; what it did on the host is not known");
            if (d.status() == DeploymentStatus.RUNNING) {
                finisher.finish(d.id(), DeploymentStatus.RUNNING, DeploymentStatus.FAILED,
                        "interrupted: the Greenlight instance running it stopped; see its steps for how far it got");
            } else if (d.status() == DeploymentStatus.AWAITING_PROMOTION) {
                // its hosts were changed (the idle colour deployed) but traffic had not moved: settled like a running
                // deployment, the steps saying what was deployed
                finisher.finish(d.id(), DeploymentStatus.AWAITING_PROMOTION, DeploymentStatus.FAILED,
                        "interrupted while awaiting promotion: the Greenlight instance running it stopped before the "
                                + "switch; the idle colour may still run the new version (see its steps)");
            } else {
                finisher.finish(d.id(), DeploymentStatus.ROLLING_BACK, DeploymentStatus.ROLLBACK_FAILED,
                        "interrupted during rollback: the Greenlight instance running it stopped");
            }
        }
        return !orphans.isEmpty();
    }
}
