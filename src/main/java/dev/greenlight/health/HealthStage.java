package dev.greenlight.health;

import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.HostAddress;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.RemoteCommands;
import dev.greenlight.deploy.StepFailedException;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.ssh.CommandResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * One health attempt of one host, multi-level: the container-level command (healthy on exit 0), then every HTTP
 * path. Retries are not done here: an unhealthy host with attempts left throws {@link UnhealthyHostException} and
 * the route's redelivery policy calls again after the environment's interval.
 */
public final class HealthStage {
    private final RemoteCommands commands;
    private final HttpHealthChecker checker;
    private final StepStore steps;

    public HealthStage(RemoteCommands commands, HttpHealthChecker checker, StepStore steps) {
        this.commands = commands;
        this.checker = checker;
        this.steps = steps;
    }

    public void check(Exchange exchange, DeploymentRun run, HostAddress host) {
        EnvironmentConfig env = run.environment();
        HealthSpec spec = env.health();
        if (spec == null) return;
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        String stage = run.rollingBack() ? "rollback-health" : "health";
        List<String> problems = new ArrayList<>();
        if (env.healthCommand() != null) {
            CommandResult r = commands.execute(run, host, env.healthCommand(), stage + "-container", attempt);
            if (!r.succeeded()) problems.add("container check " + (r.timedOut() ? "timed out" : "exited " + r.exitCode()));
        }
        if (env.healthUrl() != null && problems.isEmpty()) {
            String base = env.healthUrl().renderPlain(run.templateValues(host));
            HealthReport report = checker.check(base, spec.paths(), spec.timeout());
            steps.record(run.id(), stage, host.toString(), attempt, report.healthy(), report.summary());
            if (!report.healthy()) problems.add(report.summary());
        }
        if (problems.isEmpty()) return;
        String why = host + " unhealthy (attempt " + attempt + "/" + spec.attempts() + "): " + String.join("; ", problems);
        if (attempt >= spec.attempts()) throw new StepFailedException(why);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, spec.interval().toMillis());
        throw new UnhealthyHostException(why);
    }
}
