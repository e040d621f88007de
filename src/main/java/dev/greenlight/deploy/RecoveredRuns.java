package dev.greenlight.deploy;

import dev.greenlight.config.BlueGreenSpec;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.HostAddress;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * The run of an interrupted deployment, rebuilt from what was persisted before each action (steps are written before
 * they act): the hosts it touched, and for blue-green its colours (on the deployment), the hosts whose switch began
 * and whether it stopped the old colour. The run's batches come from the configuration, its backup from the
 * deployment. Then, as route steps of the recovery: what each host is known to be in, recorded as a step, and the
 * interruption handed to the rollback as the failure it undoes.
 */
public final class RecoveredRuns {
    /** The stages of a forward step that changes a host; it is opened after the host was counted as touched. */
    private static final Set<String> CHANGES = Set.of("before-host", "deploy", "health", "health-container",
            "after-host");

    private final CurrentConfig config;
    private final DeploymentStore deployments;
    private final StepStore steps;
    private final DeploymentFinisher finisher;

    public RecoveredRuns(CurrentConfig config, DeploymentStore deployments, StepStore steps,
                         DeploymentFinisher finisher) {
        this.config = config;
        this.deployments = deployments;
        this.steps = steps;
        this.finisher = finisher;
    }

    /** The run as it stood when its instance died; null when it cannot be rebuilt (it is ended here, saying why). */
    public DeploymentRun reopen(long id) {
        Deployment d = deployments.find(id).orElseThrow(() -> new IllegalStateException("no deployment " + id));
        List<Step> recorded = steps.forDeployment(id);
        GreenlightConfig config = this.config.get(); // the configuration in force when the recovery starts
        EnvironmentConfig env = config.environment(d.app(), d.environment()).orElse(null);
        if (!configuredAsItWas(env, d.blueGreen())) {
            boolean changed = recorded.stream().anyMatch(s -> CHANGES.contains(s.stage()));
            finisher.finish(id, d.status(), changed ? DeploymentStatus.ROLLBACK_FAILED : DeploymentStatus.FAILED,
                    "recovered after an interruption, but " + d.app() + "/" + d.environment() + " is no longer "
                            + "configured as it was: " + (changed ? "its hosts may run either version: check them, "
                            + "then unlock the environment" : "nothing had been changed"));
            return null;
        }
        DeploymentRun run = new DeploymentRun(d, config.apps().get(d.app()), env);
        for (HostAddress host : env.hosts()) {
            if (recorded.stream().anyMatch(s -> on(s, host) && CHANGES.contains(s.stage()))) run.touch(host);
        }
        if (run.blueGreen() != null && d.blueGreen().color() != null) rebuildColors(run, d.blueGreen(), env.blueGreen(), recorded);
        return run;
    }

    /** Its environment still exists with the same strategy and, for blue-green, the colours it recorded. */
    private static boolean configuredAsItWas(EnvironmentConfig env, BlueGreenRecord record) {
        if (env == null) return false;
        BlueGreenSpec spec = env.blueGreen();
        if (spec == null) return record.color() == null;
        return record.color() == null || colorConfigured(spec, record.color())
                && (record.previousColor() == null || colorConfigured(spec, record.previousColor()));
    }

    private static boolean colorConfigured(BlueGreenSpec spec, String name) {
        return spec.colors().stream().anyMatch(c -> c.name().equals(name));
    }

    private static void rebuildColors(DeploymentRun run, BlueGreenRecord record, BlueGreenSpec spec,
                                      List<Step> recorded) {
        BlueGreenRun colors = run.blueGreen();
        colors.choose(spec.color(record.color()),
                record.previousColor() == null ? null : spec.color(record.previousColor()));
        colors.actOnNew();
        for (HostAddress host : run.environment().hosts()) {
            if (recorded.stream().anyMatch(s -> on(s, host) && s.stage().equals("switch"))) colors.switched(host);
        }
        if (recorded.stream().anyMatch(s -> s.stage().equals("stop-previous"))) colors.previousStopped();
    }

    /**
     * A recovery step for {@code host}: what the records say it went through, and whether it answers over SSH now
     * ({@code unreachable}: why not, null when it does).
     */
    public void recordHost(DeploymentRun run, HostAddress host, String unreachable) {
        List<Step> mine = steps.forDeployment(run.id()).stream()
                .filter(s -> on(s, host) && !s.stage().startsWith("recovery")).toList();
        StringBuilder said = new StringBuilder("recovery: ").append(host);
        boolean touched = run.touched().contains(host);
        said.append(touched ? " was changed by this deployment" : " was not changed by this deployment");
        if (!mine.isEmpty()) {
            Step last = mine.get(mine.size() - 1);
            said.append(" (its last step: ").append(last.stage()).append(' ').append(last.status()).append(')');
        }
        said.append(touched ? "; it may run " + run.deployment().version() : "");
        BlueGreenRun colors = run.blueGreen();
        if (colors != null && colors.color() != null) {
            said.append(colors.switchedHosts().contains(host) ? "; its traffic was switched to " + colors.color().name()
                    : colors.previousColor() == null ? "; no colour took traffic before"
                    : "; its traffic stayed on " + colors.previousColor().name());
        }
        said.append(unreachable == null ? "; it answers over SSH" : "; it does not answer over SSH: " + unreachable);
        steps.record(run.id(), "recovery", host.toString(), 1, unreachable == null, said.toString());
    }

    /**
     * The interruption as the failure the dead-letter rollback undoes: a running deployment (or one awaiting its
     * promotion) had not passed all its checks, so it is never continued blind; a rollback is run again, every one of
     * its steps being safe to repeat.
     */
    public void interruption(Exchange exchange, DeploymentRun run) {
        Deployment d = run.deployment();
        String reason = d.status() == DeploymentStatus.ROLLING_BACK
                ? "recovered after an interruption during its rollback, which was run again (it was rolled back "
                        + "because: " + d.statusDetail() + ")"
                : "recovered after an interruption: the Greenlight instance running it stopped while it was "
                        + d.status().key() + ", before the new version had passed all its checks";
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new StepFailedException(reason));
    }

    private static boolean on(Step step, HostAddress host) {
        return host.toString().equals(step.host());
    }
}
