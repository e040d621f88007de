package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GreenlightConfig;
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
    private final AuditLog audit;
    private final EventOutbox outbox;
    private final Runnable onStarted;

    /**
     * @param outbox    gets a "started" event in the transaction that starts a deployment
     * @param onStarted told after that commit (wakes the event relay)
     */
    public Dispatcher(CurrentConfig config, DeploymentStore deployments, EnvironmentLease lease,
                      AuditLog audit, EventOutbox outbox, Runnable onStarted) {
        this.outbox = outbox;
        this.onStarted = onStarted;
        this.config = config;
        this.deployments = deployments;
        this.lease = lease;
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

    /**
     * Runs after {@link Recoveries#takeOver}: an environment where a deployment was interrupted is the recovery's
     * until it has ended that deployment, so nothing starts there meanwhile.
     *
     * @return ids of the deployments started now, for the pipeline runner
     */
    public List<Long> dispatch() {
        for (String[] env : lease.lapsed()) {
            // a dead instance's lease over nothing unfinished (it died between deployments): taken over (audited) and
            // freed. One over an unfinished deployment is the recovery's (Recoveries.takeOver).
            if (deployments.unfinished(env[0], env[1]).isEmpty() && lease.tryAcquire(env[0], env[1])) {
                lease.release(env[0], env[1]);
            }
        }
        List<Long> started = new ArrayList<>();
        GreenlightConfig current = config.get();
        for (DeploymentStore.Startable candidate : deployments.startable()) {
            // a deployment of an environment the configuration no longer has waits until it has it again
            Optional<EnvironmentConfig> configured = current.environment(candidate.app(), candidate.environment());
            if (configured.isEmpty()) continue;
            EnvironmentConfig env = configured.get();
            if (!lease.tryAcquire(env.app(), env.name())) continue;
            // the lease may have lapsed only now, over a dead instance's deployment: its recovery goes first
            if (interrupted(env)) {
                lease.release(env.app(), env.name());
                continue;
            }
            start(env).ifPresentOrElse(started::add, () -> lease.release(env.app(), env.name()));
        }
        return started;
    }

    private boolean interrupted(EnvironmentConfig env) {
        return !deployments.unfinished(env.app(), env.name()).isEmpty();
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
}
