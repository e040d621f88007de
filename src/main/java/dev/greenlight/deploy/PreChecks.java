package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import dev.greenlight.registry.RegistryClient;
import dev.greenlight.registry.RegistryException;
import dev.greenlight.registry.TagCheck;
import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks made before anything changes: a failure here ends the deployment as failed, with nothing to undo. The
 * pre-checks route probes the hosts (a parallel splitter over direct:remote-command); this bean judges the answers.
 */
public final class PreChecks {
    private static final Logger LOG = LoggerFactory.getLogger(PreChecks.class);

    private final RegistryClient registry;
    private final StepStore steps;

    public PreChecks(RegistryClient registry, StepStore steps) {
        this.steps = steps;
        this.registry = registry;
    }

    /** Every command renders for every host: an invalid value stops the deployment before anything runs. */
    public void renderAll(DeploymentRun run) {
        for (HostAddress host : run.sshHosts()) {
            run.environment().commands().values().forEach(t -> t.renderShell(run.templateValues(host)));
        }
    }

    /** A probe that failed (the route's doCatch): why that host cannot be used, as that host's answer. */
    public String problem(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof StepFailedException) return cause.getMessage();
        HostAddress host = exchange.getProperty("host", HostAddress.class);
        LOG.error("pre-check of {} failed unexpectedly", host, cause);
        return host + ": the probe failed with an internal error (see the log)";
    }

    /** After every probe has answered: one unusable host stops the deployment, every problem named. */
    public void requireReachable(List<String> problems) {
        if (problems != null && !problems.isEmpty()) {
            throw new StepFailedException("pre-check: " + String.join("; ", problems));
        }
    }

    /** The image tag exists in the registry (after the build stage when there is one). */
    public void image(DeploymentRun run) {
        String image = run.app().image();
        if (image == null) return;
        String version = run.installingVersion();
        long step = steps.open(run.id(), "registry", null, 1);
        try {
            TagCheck check = registry.tagExists(image, version);
            steps.close(step, check.exists(), null, null, image + ":" + version + ": " + check.detail());
            if (!check.exists()) throw new StepFailedException("image " + image + ":" + version + " is not in the registry");
        } catch (RegistryException | IllegalArgumentException e) {
            steps.close(step, false, null, null, e.getMessage());
            throw new StepFailedException("registry check of " + image + ":" + version + " failed: " + e.getMessage());
        }
    }
}
