package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter side of the pipelines. Decides what a failure means: nothing changed (failed, or cancelled),
 * nothing to return to (failed, first deployment), or every touched host back to the previous version.
 */
public final class Rollbacks {
    private static final Logger LOG = LoggerFactory.getLogger(Rollbacks.class);

    private final DeploymentFinisher finisher;
    private final StepStore steps;

    public Rollbacks(DeploymentFinisher finisher, StepStore steps) {
        this.finisher = finisher;
        this.steps = steps;
    }

    /** @return the hosts to roll back, empty when the deployment has already been ended here */
    public List<HostAddress> begin(Exchange exchange, DeploymentRun run) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = reason(cause);
        boolean cancelled = stepFailure(cause).filter(DeploymentCancelledException.class::isInstance).isPresent();
        List<HostAddress> touched = run.touched();
        if (touched.isEmpty()) {
            finisher.finish(run.id(), DeploymentStatus.RUNNING, cancelled ? DeploymentStatus.CANCELLED : DeploymentStatus.FAILED,
                    reason + "; nothing was changed");
            return List.of();
        }
        String previous = run.deployment().previousVersion();
        if (previous == null) {
            finisher.finish(run.id(), DeploymentStatus.RUNNING, DeploymentStatus.FAILED, reason
                    + "; no earlier successful deployment of this environment to roll back to: " + hosts(touched)
                    + " left as they are");
            return List.of();
        }
        finisher.move(run.id(), DeploymentStatus.RUNNING, DeploymentStatus.ROLLING_BACK, reason);
        run.startRollback(reason);
        LOG.warn("deployment {} failed ({}): rolling {} back to {}", run.id(), steps.redact(reason), hosts(touched), previous);
        return touched;
    }

    public void hostFailed(Exchange exchange, DeploymentRun run, HostAddress host) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        run.rollbackFailed(host + ": " + reason(cause));
    }

    public void finish(DeploymentRun run) {
        List<String> failures = run.rollbackFailures();
        String rolledBack = hosts(run.touched()) + " back on " + run.deployment().previousVersion();
        if (failures.isEmpty()) {
            finisher.finish(run.id(), DeploymentStatus.ROLLING_BACK, DeploymentStatus.ROLLED_BACK,
                    run.failureReason() + "; rolled back: " + rolledBack);
            return;
        }
        LOG.error("ROLLBACK FAILED for deployment {} ({}/{}): {}; the environment stays locked until released",
                run.id(), run.environment().app(), run.environment().name(), steps.redact(String.join("; ", failures)));
        finisher.finish(run.id(), DeploymentStatus.ROLLING_BACK, DeploymentStatus.ROLLBACK_FAILED,
                run.failureReason() + "; ROLLBACK FAILED: " + String.join("; ", failures));
    }

    /** The step failure behind Camel's wrappers (a failed split wraps its part's exception), if there is one. */
    private static Optional<StepFailedException> stepFailure(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof StepFailedException step) return Optional.of(step);
        }
        return Optional.empty();
    }

    static String reason(Throwable cause) {
        if (cause == null) return "unknown failure";
        Optional<StepFailedException> step = stepFailure(cause);
        if (step.isPresent()) return step.get().getMessage();
        Throwable root = cause;
        while (root.getCause() != null) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String hosts(List<HostAddress> hosts) {
        return hosts.stream().map(HostAddress::toString).collect(Collectors.joining(", "));
    }
}
