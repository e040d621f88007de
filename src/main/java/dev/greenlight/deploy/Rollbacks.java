package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import dev.greenlight.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter side of the pipelines. Decides what a failure means: nothing changed (failed, or cancelled),
 * nothing to return to (failed, first deployment: a rolling one leaves its hosts as they are, a blue-green one stops
 * the colour it started), or every touched host back to the previous version, in the rollout's batches. Reasons are
 * plain sentences; technical detail goes to the log.
 */
public final class Rollbacks {
    private static final Logger LOG = LoggerFactory.getLogger(Rollbacks.class);

    private final DeploymentFinisher finisher;
    private final DeploymentStore deployments;
    private final StepStore steps;

    public Rollbacks(DeploymentFinisher finisher, DeploymentStore deployments, StepStore steps) {
        this.finisher = finisher;
        this.deployments = deployments;
        this.steps = steps;
    }

    /**
     * Ends a deployment that changed nothing, or starts rolling back the hosts it touched.
     *
     * @return the touched hosts in the rollout's batches, the last batch first (it holds the host that failed); empty
     *         when the deployment has already been ended here
     */
    public List<List<HostAddress>> begin(Exchange exchange, DeploymentRun run) {
        if (run == null) return List.of(); // the run could not be opened, and said so
        // from here a cancel is refused: whatever happens next is the rollback's
        deployments.closeCancels(run.id(), CancelClosed.ROLLING_BACK, false);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = reason(cause, run.id());
        boolean cancelled = stepFailure(cause).filter(DeploymentCancelledException.class::isInstance).isPresent();
        List<HostAddress> touched = run.touched();
        // running, or in a state that waits inside the pipeline (awaiting promotion): whatever it is, it ends here
        DeploymentStatus now = deployments.find(run.id()).map(Deployment::status).orElse(DeploymentStatus.RUNNING);
        if (now.terminal()) {
            // ended meanwhile by someone else (its lease lapsed and it was settled as interrupted): theirs stands
            LOG.error("deployment {} failed ({}) after it had already ended {}", run.id(), steps.redact(reason), now.key());
            return List.of();
        }
        if (touched.isEmpty()) {
            finisher.finish(run.id(), now, cancelled ? DeploymentStatus.CANCELLED : DeploymentStatus.FAILED,
                    reason + "; nothing was changed");
            return List.of();
        }
        String previous = run.deployment().previousVersion();
        // a first blue-green deployment goes on to the rollback route: it stops the colour it started
        if (previous == null && run.blueGreen() == null) {
            finisher.finish(run.id(), now, DeploymentStatus.FAILED, reason
                    + "; no earlier successful deployment of this environment to roll back to: " + hosts(touched)
                    + " left as they are");
            return List.of();
        }
        finisher.move(run.id(), now, DeploymentStatus.ROLLING_BACK, reason);
        run.startRollback(reason, cancelled);
        LOG.warn("deployment {} failed ({}): {} {}", run.id(), steps.redact(reason),
                previous == null ? "no earlier deployment to return to, stopping what it started on" : "rolling back",
                hosts(touched) + (previous == null ? "" : " to " + previous));
        return batches(run, touched);
    }

    /**
     * The rollout's batches with only their touched hosts, last first: a rollback takes no more hosts out of rotation
     * at once than the rollout did.
     */
    private static List<List<HostAddress>> batches(DeploymentRun run, List<HostAddress> touched) {
        List<List<HostAddress>> batches = new ArrayList<>();
        for (List<HostAddress> batch : run.getBatches()) {
            List<HostAddress> back = batch.stream().filter(touched::contains).toList();
            if (!back.isEmpty()) batches.add(0, back);
        }
        return batches;
    }

    /**
     * Runs that stop here with no rollback, left to their lease: the database stayed unreachable longer than the
     * bookkeeping waits (half the lease TTL), so no step of a rollback could be recorded before its command ran; or the
     * service is stopping (SIGTERM), and the step under way has ended and is recorded; or this instance no longer holds
     * the environment's lease, and whoever does settles the deployment. No other host is changed; the
     * hosts touched keep what they had reached, and their steps say so. The run is abandoned: its lease is no longer
     * renewed and lapses, and whoever takes the environment next (this instance after its restart, or another)
     * settles the deployment as interrupted.
     */
    public boolean leftToItsLease(Exchange exchange, DeploymentRun run) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (run == null || !(causedBy(cause, StoreUnavailableException.class)
                || causedBy(cause, ServiceStoppingException.class) || causedBy(cause, LeaseLostException.class))) {
            return false;
        }
        run.abandon();
        LOG.error("deployment {} stops here: {}; no other host is changed and nothing is rolled back (touched: {}); "
                + "its lease lapses and the deployment is settled as interrupted by whoever takes the environment next",
                run.id(), cause.getMessage(), run.touched().isEmpty() ? "none" : hosts(run.touched()));
        return true;
    }

    private static boolean causedBy(Throwable cause, Class<? extends Throwable> type) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return true;
        }
        return false;
    }

    public void hostFailed(Exchange exchange, DeploymentRun run, HostAddress host) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        run.rollbackFailed(host + ": " + reason(cause, run.id()));
    }

    public void finish(DeploymentRun run) {
        List<String> failures = run.rollbackFailures();
        if (failures.isEmpty()) {
            finisher.finish(run.id(), DeploymentStatus.ROLLING_BACK, undone(run), run.failureReason() + "; "
                    + whatWasUndone(run));
            return;
        }
        LOG.error("ROLLBACK FAILED for deployment {} ({}/{}): {}; the environment stays locked until released",
                run.id(), run.environment().app(), run.environment().name(), steps.redact(String.join("; ", failures)));
        finisher.finish(run.id(), DeploymentStatus.ROLLING_BACK, DeploymentStatus.ROLLBACK_FAILED,
                run.failureReason() + "; ROLLBACK FAILED: " + String.join("; ", failures));
    }

    /**
     * A first blue-green deployment had nothing to return to: the colour it started is stopped again, and it ends
     * failed (cancelled, when that was asked for). One cancelled before any traffic moved has only started its idle
     * colour, now stopped again: it ends cancelled, like one cancelled before it changed anything. Everything else that
     * was undone is rolled back.
     */
    private static DeploymentStatus undone(DeploymentRun run) {
        if (firstDeployment(run)) return run.cancelled() ? DeploymentStatus.CANCELLED : DeploymentStatus.FAILED;
        boolean trafficMoved = run.blueGreen() == null || !run.blueGreen().switchedHosts().isEmpty();
        return run.cancelled() && !trafficMoved ? DeploymentStatus.CANCELLED : DeploymentStatus.ROLLED_BACK;
    }

    private static String whatWasUndone(DeploymentRun run) {
        if (firstDeployment(run)) {
            return "no earlier deployment of this environment to return to: " + run.blueGreen().color().name()
                    + " stopped on " + hosts(run.touched());
        }
        return "rolled back: " + hosts(run.touched()) + " back on " + run.deployment().previousVersion();
    }

    private static boolean firstDeployment(DeploymentRun run) {
        return run.deployment().previousVersion() == null;
    }

    /** The step failure behind Camel's wrappers (a failed split wraps its part's exception), if there is one. */
    private static Optional<StepFailedException> stepFailure(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof StepFailedException step) return Optional.of(step);
        }
        return Optional.empty();
    }

    /**
     * Why the deployment failed, as a sentence for its status and the audit trail: a step's own reason, or for anything
     * else (a bug, a broken database connection) a pointer to the log, which gets the technical detail.
     */
    static String reason(Throwable cause, long id) {
        if (cause == null) return "the pipeline failed without saying why (the log of deployment " + id + " may tell)";
        Optional<StepFailedException> step = stepFailure(cause);
        if (step.isPresent()) return step.get().getMessage();
        LOG.error("deployment {} failed with an internal error", id, cause);
        return "an internal error stopped the deployment (the log of deployment " + id + " has the details)";
    }

    private static String hosts(List<HostAddress> hosts) {
        return hosts.stream().map(HostAddress::toString).collect(Collectors.joining(", "));
    }
}
