package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import dev.greenlight.config.Template;
import dev.greenlight.ssh.CommandResult;
import dev.greenlight.ssh.SshHeaders;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an environment's command templates on its hosts, each as a step record: rendered with shell-quoted values
 * and sent to the host's camel-ssh endpoint ({@code ssh://host:port?…}, exec mode, bounded by the environment's
 * command timeout); a non-zero exit, a timeout or an unreachable host fails the step.
 */
public final class RemoteCommands {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCommands.class);

    private final ProducerTemplate ssh;
    private final StepStore steps;

    public RemoteCommands(ProducerTemplate ssh, StepStore steps) {
        this.ssh = ssh;
        this.steps = steps;
    }

    /** Runs command {@code key} (deploy, before-host, …) on {@code host}; a failure throws and ends the pipeline. */
    public void run(DeploymentRun run, HostAddress host, String key, String stage) {
        Template template = run.environment().command(key)
                .orElseThrow(() -> new IllegalStateException("no command " + key));
        CommandResult result = execute(run, host, template, stage, 1);
        if (!result.succeeded()) {
            throw new StepFailedException(stage + " on " + host + " " + describe(result, run.environment().commandTimeout()));
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
        String endpoint = run.sshEndpoint(host);
        long step = steps.open(run.id(), stage, host.toString(), attempt);
        Exchange answer = send(endpoint, command);
        if (answer.getException() != null) {
            String why = answer.getException().getMessage();
            steps.close(step, false, null, null, why);
            LOG.warn("deployment {}: {} on {} failed: {}", run.id(), stage, host, steps.redact(why));
            throw new StepFailedException(stage + " on " + host + " failed: " + why);
        }
        CommandResult result = SshHeaders.result(answer.getMessage());
        String detail = result.succeeded() ? null : describe(result, run.environment().commandTimeout());
        steps.close(step, result.succeeded(), result.exitCode(), output(result), detail);
        LOG.info("deployment {}: {} on {} {} in {} ms", run.id(), stage, host,
                result.succeeded() ? "succeeded" : steps.redact(detail), result.duration().toMillis());
        return result;
    }

    /**
     * Runs {@code true} on the host: it is reachable, its host key is known, the key is accepted and the account can
     * run commands (a {@code nologin} shell cannot). The session stays open for the steps that follow.
     */
    public Optional<String> probe(DeploymentRun run, HostAddress host) {
        // `true` hanging after login (a stuck home directory, a shell start-up file) must not hold the pre-check
        // for the whole command timeout
        Duration connect = run.environment().ssh().connectTimeout();
        Duration bound = connect.compareTo(run.environment().commandTimeout()) < 0 ? connect
                : run.environment().commandTimeout();
        Exchange answer = send(run.sshEndpoint(host, bound), "true");
        if (answer.getException() != null) return Optional.of(answer.getException().getMessage());
        CommandResult result = SshHeaders.result(answer.getMessage());
        if (result.succeeded()) return Optional.empty();
        String said = output(result).strip();
        said = said.length() > 200 ? said.substring(0, 200) + "…" : said;
        return Optional.of(steps.redact(host + ": the account cannot run commands (`true` " + describe(result, bound)
                + (said.isEmpty() ? ")" : ": " + said + ")")));
    }

    /** The endpoint's answer; a refused endpoint (an option Greenlight does not run with) is a failed answer too. */
    private Exchange send(String endpoint, String command) {
        try {
            return ssh.send(endpoint, exchange -> exchange.getMessage().setBody(command));
        } catch (ResolveEndpointFailedException e) {
            Exchange failed = new DefaultExchange(ssh.getCamelContext());
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            failed.setException(new IllegalArgumentException("invalid ssh endpoint: " + cause.getMessage(), e));
            return failed;
        }
    }

    private static String describe(CommandResult result, Duration timeout) {
        return result.timedOut()
                ? "timed out after " + dev.greenlight.config.Durations.format(timeout)
                : "exited with status " + result.exitCode();
    }

    private static String output(CommandResult r) {
        String out = r.stdout() == null ? "" : r.stdout();
        String err = r.stderr() == null ? "" : r.stderr();
        return err.isEmpty() ? out : out + (out.isEmpty() || out.endsWith("\n") ? "" : "\n") + "[stderr]\n" + err;
    }
}
