package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import dev.greenlight.config.Template;
import dev.greenlight.ssh.CommandResult;
import dev.greenlight.ssh.SshException;
import dev.greenlight.ssh.SshSessionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an environment's command templates on its hosts over SSH, each as a step record: rendered with
 * shell-quoted values, bounded by the environment's command timeout, failed on a non-zero exit.
 */
public final class RemoteCommands {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCommands.class);

    private final SshSessionPool ssh;
    private final StepStore steps;

    public RemoteCommands(SshSessionPool ssh, StepStore steps) {
        this.ssh = ssh;
        this.steps = steps;
    }

    /** Runs command {@code key} (deploy, before-host, …) on {@code host}; a failure throws and ends the pipeline. */
    public void run(DeploymentRun run, HostAddress host, String key, String stage) {
        Template template = run.environment().command(key)
                .orElseThrow(() -> new IllegalStateException("no command " + key));
        CommandResult result = execute(run, host, template, stage, 1);
        if (!result.succeeded()) {
            throw new StepFailedException(stage + " on " + host + " " + describe(result, run));
        }
    }

    /** The optional build stage: {@code commands.build} on the environment's build host. */
    public void build(DeploymentRun run) {
        if (run.environment().command("build").isPresent()) run(run, run.environment().buildHost(), "build", "build");
    }

    /** Runs {@code key} when the environment defines it. */
    public void runIfDefined(DeploymentRun run, HostAddress host, String key, String stage) {
        if (run.environment().command(key).isPresent()) run(run, host, key, stage);
    }

    /** Runs a template and records it; returns the result (an SSH failure is a failed result, not an exception). */
    public CommandResult execute(DeploymentRun run, HostAddress host, Template template, String stage, int attempt) {
        String command = template.renderShell(run.templateValues(host));
        long step = steps.open(run.id(), stage, host.toString(), attempt);
        CommandResult result;
        try {
            result = ssh.exec(run.target(host), command, run.environment().commandTimeout());
        } catch (SshException e) {
            steps.close(step, false, null, null, e.getMessage());
            LOG.warn("deployment {}: {} on {} failed: {}", run.id(), stage, host, steps.redact(e.getMessage()));
            throw new StepFailedException(stage + " on " + host + " failed: " + e.getMessage());
        }
        String detail = result.succeeded() ? null : describe(result, run);
        steps.close(step, result.succeeded(), result.exitCode(), output(result), detail);
        LOG.info("deployment {}: {} on {} {} in {} ms", run.id(), stage, host,
                result.succeeded() ? "succeeded" : steps.redact(detail), result.duration().toMillis());
        return result;
    }

    private static String describe(CommandResult result, DeploymentRun run) {
        return result.timedOut()
                ? "timed out after " + dev.greenlight.config.Durations.format(run.environment().commandTimeout())
                : "exited with status " + result.exitCode();
    }

    private static String output(CommandResult r) {
        String out = r.stdout() == null ? "" : r.stdout();
        String err = r.stderr() == null ? "" : r.stderr();
        return err.isEmpty() ? out : out + (out.isEmpty() || out.endsWith("\n") ? "" : "\n") + "[stderr]\n" + err;
    }
}
