package dev.greenlight.bluegreen;

import dev.greenlight.config.BlueGreenSpec;
import dev.greenlight.config.ColorSpec;
import dev.greenlight.deploy.BlueGreenRun;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.StepFailedException;
import java.util.Optional;

/**
 * Picks a blue-green deployment's colours before anything runs: the live one is the environment's recorded live
 * colour, the new version goes to the other (the first deployment, with no live colour, to the first configured).
 * Both are recorded on the deployment. A pending stop of the chosen colour is cancelled: this deployment takes it
 * over, and when that colour still runs the very version being deployed (a rollback inside keep-previous) it is not
 * deployed again.
 */
public final class ColorChoice {
    private final EnvironmentLease lease;
    private final DeploymentStore deployments;
    private final ColorStops stops;

    public ColorChoice(EnvironmentLease lease, DeploymentStore deployments, ColorStops stops) {
        this.lease = lease;
        this.deployments = deployments;
        this.stops = stops;
    }

    public void choose(DeploymentRun run) {
        BlueGreenSpec spec = run.environment().blueGreen();
        String live = lease.liveColor(run.environment().app(), run.environment().name()).orElse(null);
        if (live != null && spec.colors().stream().noneMatch(c -> c.name().equals(live))) {
            throw new StepFailedException("the live colour " + live + " is not one of the configured colours ("
                    + String.join(", ", spec.colors().stream().map(ColorSpec::name).toList())
                    + "): rename it back, or switch by hand and record the live colour");
        }
        ColorSpec idle = spec.other(live);
        ColorSpec previous = live == null ? null : spec.color(live);
        BlueGreenRun colors = run.blueGreen();
        colors.choose(idle, previous);
        colors.actOnNew();
        deployments.recordColors(run.id(), idle.name(), live);
        Optional<String> stillRunning = stops.takeOver(run.environment().app(), run.environment().name(), idle.name());
        colors.alreadyRunning(stillRunning.filter(run.deployment().version()::equals).isPresent());
    }
}
