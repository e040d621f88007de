package dev.greenlight.deploy;

import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.HostAddress;
import dev.greenlight.config.SmokeCheck;
import dev.greenlight.health.SmokeResult;
import dev.greenlight.health.SmokeTester;
import dev.greenlight.http.Http;
import java.net.URI;

/**
 * One smoke test against one host after the last batch, as a step labelled with the address it calls; a failure
 * fails the deployment. The smoke-tests route runs every test against every host (a splitter per host, in parallel).
 */
public final class SmokeStage {
    private final SmokeTester tester;
    private final StepStore steps;

    public SmokeStage(SmokeTester tester, StepStore steps) {
        this.tester = tester;
        this.steps = steps;
    }

    public void check(DeploymentRun run, HostAddress host, SmokeCheck check) {
        EnvironmentConfig env = run.environment();
        String base = run.healthBase(host);
        String called = called(base, check);
        long step = steps.open(run.id(), "smoke", called, 1);
        SmokeResult result = tester.run(base, check, env.health().timeout());
        steps.close(step, result.passed(), null, null, result.summary() + " (" + check.method() + " " + result.url() + ")");
        if (!result.passed()) {
            throw new StepFailedException("smoke test " + result.name() + " on " + called + " failed: " + result.detail());
        }
    }

    /** The {@code host:port} a smoke test calls (the port the URL names, or its scheme's). */
    static String called(String base, SmokeCheck check) {
        try {
            URI uri = Http.resolve(base, check.path());
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            return uri.getHost() + ":" + port;
        } catch (IllegalArgumentException e) {
            return base + check.path();
        }
    }
}
