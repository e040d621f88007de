package dev.greenlight.deploy;

import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.HostAddress;
import dev.greenlight.ssh.SshSessionPool;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens and closes a pipeline run: loads the deployment and its environment, checks for a requested cancel between
 * steps, and at the end of every run (however it ended) frees its SSH sessions and ends a deployment the pipeline
 * could not end.
 */
public final class DeploymentRuns {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentRuns.class);

    private final CurrentConfig config;
    private final DeploymentStore deployments;
    private final DeploymentFinisher finisher;
    private final SshSessionPool ssh;
    private final EnvironmentLease lease;
    private final BooleanSupplier stopping;

    /** @param stopping whether the service is stopping (a SIGTERM): the cancel points then end the run */
    public DeploymentRuns(CurrentConfig config, DeploymentStore deployments, DeploymentFinisher finisher,
                          SshSessionPool ssh, EnvironmentLease lease, BooleanSupplier stopping) {
        this.config = config;
        this.deployments = deployments;
        this.finisher = finisher;
        this.ssh = ssh;
        this.lease = lease;
        this.stopping = stopping;
    }

    public DeploymentRun open(long id) {
        Deployment d = deployments.find(id).orElseThrow(() -> new IllegalStateException("no deployment " + id));
        GreenlightConfig current = config.get(); // the run keeps what it read here: a reload applies to the next one
        EnvironmentConfig env = current.environment(d.app(), d.environment()).orElse(null);
        if (env == null) {
            finisher.finish(id, DeploymentStatus.RUNNING, DeploymentStatus.FAILED, d.app() + "/" + d.environment()
                    + " is no longer configured; nothing was changed");
            throw new StepFailedException(d.app() + "/" + d.environment() + " is no longer configured");
        }
        return new DeploymentRun(d, current.apps().get(d.app()), env);
    }

    /**
     * Before a step: a requested cancel stops the pipeline here, and what was changed is rolled back. A rollback has
     * no cancel points. A stopping service stops the run here too, without a rollback (see
     * {@link ServiceStoppingException}): the step before has ended and is recorded, the next one never starts. So does
     * a run whose environment's lease this instance no longer holds ({@link LeaseLostException}): whoever holds it
     * now settles the deployment.
     */
    public void cancelPoint(DeploymentRun run) {
        if (run.rollingBack()) return;
        if (stopping.getAsBoolean()) throw new ServiceStoppingException();
        if (!lease.holds(run.id())) throw new LeaseLostException();
        if (deployments.cancelRequested(run.id())) throw new DeploymentCancelledException();
    }

    /**
     * After the last step, before the deployment succeeds: from here a cancel is refused rather than accepted. One
     * guarded update decides between this and a cancel request, so a cancel that came first is honoured here.
     */
    public void lastCancelPoint(DeploymentRun run) {
        if (!deployments.closeCancels(run.id(), CancelClosed.FINISHING, true)) throw new DeploymentCancelledException();
    }

    /** Recorded before a host is changed, so that a failure half-way through its update still rolls it back. */
    public void touch(DeploymentRun run, HostAddress host) {
        run.touch(host);
    }

    public void succeed(DeploymentRun run) {
        finisher.succeeded(run.id());
    }

    /**
     * The end of every run, whatever happened before (the pipeline's onCompletion): its SSH sessions are closed (or
     * left to persist, {@code greenlight.ssh.persist}), and a
     * deployment still running, awaiting promotion or rolling back, because the rollback itself broke, is ended here;
     * one awaiting approval is left waiting. Null when the run
     * could not even be opened.
     */
    public void close(DeploymentRun run) {
        if (run == null) return;
        try {
            run.sshHosts().forEach(h -> ssh.runEnded(run.target(h)));
        } finally {
            // abandoned for want of a database: left to its lease, which lapses, and to whoever settles it then
            if (!run.abandoned()) endUnfinished(run);
        }
    }

    /**
     * Nothing changed: failed, and the environment is free. Hosts changed: nobody knows which version they run, so the
     * rollback failed and the environment stays locked until someone has looked.
     */
    private void endUnfinished(DeploymentRun run) {
        Deployment d = deployments.find(run.id()).orElseThrow();
        // awaiting approval: the run stopped on purpose, and runs again once approved
        if (d.status().terminal() || d.status() == DeploymentStatus.AWAITING_APPROVAL) return;
        String why = "the pipeline stopped without ending the deployment because of an internal error (the log of "
                + "deployment " + run.id() + " has the details)";
        LOG.error("deployment {} was still {} when its run ended: {}", run.id(), d.status().key(), why);
        if (d.status() == DeploymentStatus.RUNNING && run.touched().isEmpty()) {
            finisher.finish(run.id(), d.status(), DeploymentStatus.FAILED, why + "; nothing was changed");
            return;
        }
        String hosts = run.touched().stream().map(HostAddress::toString).collect(Collectors.joining(", "));
        finisher.finish(run.id(), d.status(), DeploymentStatus.ROLLBACK_FAILED, why + "; ROLLBACK FAILED: " + hosts
                + " may run either version: check them, then unlock the environment");
    }
}
