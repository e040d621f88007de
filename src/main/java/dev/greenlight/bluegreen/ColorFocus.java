package dev.greenlight.bluegreen;

import dev.greenlight.deploy.DeploymentRun;

/**
 * Route steps that say which colour the next commands and health checks act on ({@code {{color}}}, {@code {{port}}},
 * the version), and whether health goes through the live path: one step before each stage, so that the parallel
 * branches of a stage all read the same.
 */
public final class ColorFocus {
    public void onNew(DeploymentRun run) {
        run.blueGreen().actOnNew();
    }

    public void onPrevious(DeploymentRun run) {
        run.blueGreen().actOnPrevious();
    }

    public void throughLive(DeploymentRun run, boolean live) {
        run.blueGreen().throughLive(live);
    }

    /** keep-previous 0s: the pipeline stopped the previous colour itself. */
    public void previousStopped(DeploymentRun run) {
        run.blueGreen().previousStopped();
    }
}
