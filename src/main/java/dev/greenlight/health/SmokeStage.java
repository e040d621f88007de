package dev.greenlight.health;

import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.HostAddress;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.StepFailedException;
import dev.greenlight.deploy.StepStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Smoke tests after the last batch: every smoke check against every host, each a step; any failure fails. */
public final class SmokeStage {
    private final SmokeTester tester;
    private final StepStore steps;

    public SmokeStage(SmokeTester tester, StepStore steps) {
        this.tester = tester;
        this.steps = steps;
    }

    public void run(DeploymentRun run) {
        EnvironmentConfig env = run.environment();
        if (env.smoke().isEmpty() || env.healthUrl() == null) return;
        List<HostResult> results = env.hosts().stream()
                .flatMap(host -> env.smoke().stream().map(check -> new HostResult(host, tester.runAsync(
                        env.healthUrl().renderPlain(run.templateValues(host)), check, env.health().timeout()))))
                .toList();
        String failed = null;
        for (HostResult r : results) {
            SmokeResult result = r.result().join();
            steps.record(run.id(), "smoke", r.host().toString(), 1, result.passed(), result.summary());
            if (!result.passed() && failed == null) failed = "smoke test " + result.name() + " on " + r.host() + ": " + result.detail();
        }
        if (failed != null) throw new StepFailedException(failed);
    }

    private record HostResult(HostAddress host, CompletableFuture<SmokeResult> result) {
    }
}
