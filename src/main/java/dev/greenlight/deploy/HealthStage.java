package dev.greenlight.deploy;

import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.HealthSpec;
import dev.greenlight.config.HostAddress;
import dev.greenlight.config.NotificationEvent;
import dev.greenlight.health.HealthReport;
import dev.greenlight.health.HttpHealthChecker;
import dev.greenlight.metrics.GreenlightMeters;
import dev.greenlight.ssh.CommandResult;
import org.apache.camel.Exchange;

/**
 * Judges one health attempt of one host, multi-level: the container-level command (run by the health-attempt route
 * through direct:remote-command, healthy on exit 0), then every HTTP path, one step covering the calls. Retries are
 * not done here: an unhealthy host with attempts left throws {@link UnhealthyHostException} and the health-check
 * route's redelivery policy calls again after the environment's interval; the last attempt fails the step.
 */
public final class HealthStage {
    private final HttpHealthChecker checker;
    private final StepStore steps;
    private final GreenlightMeters meters;
    private final DeploymentNotices notices;

    /** @param notices told when a host's last attempt fails (the health-check alert) */
    public HealthStage(HttpHealthChecker checker, StepStore steps, GreenlightMeters meters, DeploymentNotices notices) {
        this.checker = checker;
        this.steps = steps;
        this.meters = meters;
        this.notices = notices;
    }

    /** This attempt's number, from 1: Camel counts the redeliveries. */
    public int attempt(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
    }

    /** The container check failed (the route's doCatch): unhealthy, with the exit status or the timeout. */
    public void containerFailed(Exchange exchange, DeploymentRun run, HostAddress host) {
        CommandFailedException failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, CommandFailedException.class);
        CommandResult r = failure.result();
        unhealthy(exchange, run, host, "container check " + (r.timedOut() ? "timed out" : "exited " + r.exitCode()));
    }

    /** Every path of {@code health.paths} under the host's health URL, each requiring 2xx within the timeout. */
    public void checkPaths(Exchange exchange, DeploymentRun run, HostAddress host) {
        EnvironmentConfig env = run.environment();
        if (env.healthUrl() == null) {
            healthy(run);
            return;
        }
        String base = run.healthBase(host);
        String stage = run.healthStage();
        // opened before the calls, so the step's duration is theirs
        long step = steps.open(run.id(), stage, host.toString(), attempt(exchange));
        HealthReport report = checker.check(base, env.health().paths(), env.health().timeout());
        steps.close(step, report.healthy(), null, null, report.summary());
        if (!report.healthy()) unhealthy(exchange, run, host, report.summary());
        healthy(run);
    }

    /** The attempt's last check passed (the container check, or the paths when there are any). */
    private void healthy(DeploymentRun run) {
        meters.healthAttempt(run.environment().app(), run.environment().name(), true);
    }

    private void unhealthy(Exchange exchange, DeploymentRun run, HostAddress host, String problem) {
        meters.healthAttempt(run.environment().app(), run.environment().name(), false);
        HealthSpec spec = run.environment().health();
        int attempt = attempt(exchange);
        String why = host + " unhealthy (attempt " + attempt + "/" + spec.attempts() + "): " + problem;
        if (attempt >= spec.attempts()) {
            notices.alert(run.id(), NotificationEvent.HEALTH_CHECK_FAILED, why);
            throw new StepFailedException(why);
        }
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, spec.interval().toMillis());
        throw new UnhealthyHostException(why);
    }
}
