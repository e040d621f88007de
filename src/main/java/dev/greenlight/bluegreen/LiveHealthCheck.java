package dev.greenlight.bluegreen;

import dev.greenlight.config.HostAddress;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.StepFailedException;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.health.HealthReport;
import dev.greenlight.health.HttpHealthChecker;

/**
 * A pre-check of a blue-green deployment: the live colour answers its health paths on every host, once, before
 * anything changes. A live colour that is already unhealthy is no colour to return to, so the release stops here
 * (stage {@code pre-check-live-health}).
 */
public final class LiveHealthCheck {
    private final HttpHealthChecker checker;
    private final StepStore steps;

    public LiveHealthCheck(HttpHealthChecker checker, StepStore steps) {
        this.checker = checker;
        this.steps = steps;
    }

    /** Run while the run acts on the previous (live) colour. */
    public void check(DeploymentRun run, HostAddress host) {
        String base = run.healthBase(host);
        long step = steps.open(run.id(), "pre-check-live-health", host.toString(), 1);
        HealthReport report = checker.check(base, run.environment().health().paths(), run.environment().health().timeout());
        steps.close(step, report.healthy(), null, null, run.blueGreen().acting().name() + ": " + report.summary());
        if (!report.healthy()) {
            throw new StepFailedException("pre-check: the live colour " + run.blueGreen().acting().name() + " on "
                    + host + " is unhealthy (" + report.summary() + ")");
        }
    }
}
