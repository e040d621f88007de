package dev.greenlight.deploy;

import dev.greenlight.config.Durations;
import dev.greenlight.config.HostAddress;
import dev.greenlight.config.HostChecks;
import dev.greenlight.config.ShellQuote;
import dev.greenlight.config.Template;
import dev.greenlight.ssh.CommandResult;
import dev.greenlight.ssh.SshException;
import dev.greenlight.ssh.SshHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping around a remote command; the remote-command route does the sending. It says what to run
 * ({@link #call}, {@link #health}, {@link #probe}, {@link #resources}), then, as the route's steps: opens the step record, renders the
 * command with shell-quoted values and names the host's camel-ssh endpoint ({@code ssh://host:port?…}, exec mode,
 * bounded by the call's timeout), records the answer, and judges it: a non-zero exit, a timeout or an unreachable
 * host fails the step.
 */
public final class RemoteCommands {
    /** Exchange property: the id of the step record of the command being run. */
    public static final String STEP = "commandStep";
    /** Exchange property: the camel-ssh endpoint the command is sent to. */
    public static final String ENDPOINT = "sshEndpoint";

    private static final Logger LOG = LoggerFactory.getLogger(RemoteCommands.class);
    private static final Template TRUE = Template.parse("true", Set.of());
    private static final String PROBE_OK = "reachable over SSH, host key verified, commands run";

    private final StepStore steps;

    public RemoteCommands(StepStore steps) {
        this.steps = steps;
    }

    /**
     * Command {@code key} (deploy, before-host, …) on {@code host}; null for an optional command the environment does
     * not define, which is then no step at all. During a rollback the stage says so ({@code rollback} for the deploy
     * command, {@code rollback-<key>} for the others).
     */
    public RemoteCall call(DeploymentRun run, HostAddress host, String key) {
        return callAs(run, host, key, stage(run, key));
    }

    /** The same, with the stage its step record gets named by the caller (the blue-green pipeline's stages). */
    public RemoteCall callAs(DeploymentRun run, HostAddress host, String key, String stage) {
        return callNoted(run, host, key, stage, null);
    }

    /** The same, and its step's detail says {@code note} when it succeeds (what a restore restored). */
    public RemoteCall callNoted(DeploymentRun run, HostAddress host, String key, String stage, String note) {
        return run.environment().command(key)
                .map(template -> new RemoteCall(run, host, stage, 1, template, run.environment().commandTimeout(),
                        false, note))
                .orElse(null);
    }

    /** The container-level health command ({@code health.command}) as attempt {@code attempt}; null if there is none. */
    public RemoteCall health(DeploymentRun run, HostAddress host, int attempt) {
        Template command = run.environment().healthCommand();
        if (command == null) return null;
        String stage = (run.rollingBack() ? "rollback-" : "") + "health-container";
        return new RemoteCall(run, host, stage, attempt, command, run.environment().commandTimeout(), false, null);
    }

    /**
     * {@code true} on the host: it is reachable, its host key is known, the key is accepted and the account can run
     * commands (a {@code nologin} shell cannot). The session stays open for the steps that follow.
     */
    public RemoteCall probe(DeploymentRun run, HostAddress host) {
        return new RemoteCall(run, host, "pre-check", 1, TRUE, preCheckTimeout(run), true, PROBE_OK);
    }

    /** The same probe, when a recovery re-checks an interrupted deployment's host (stage recovery-probe). */
    public RemoteCall recoveryProbe(DeploymentRun run, HostAddress host) {
        return new RemoteCall(run, host, "recovery-probe", 1, TRUE, preCheckTimeout(run), true, PROBE_OK);
    }

    /**
     * The fixed command that reads the host's disk and memory figures for the configured checks
     * ({@link HostResources} judges them); null when the environment configures none.
     */
    public RemoteCall resources(DeploymentRun run, HostAddress host) {
        HostChecks checks = run.environment().checks();
        if (checks == null) return null;
        List<String> reads = new ArrayList<>();
        if (checks.disk() != null) reads.add("LC_ALL=C df -P -k -- " + ShellQuote.quote(checks.disk().path()));
        if (checks.memory() != null) reads.add("cat /proc/meminfo");
        return new RemoteCall(run, host, "host-check", 1, Template.parse(String.join(" && ", reads), Set.of()),
                preCheckTimeout(run), false, null);
    }

    /**
     * A pre-check's command hanging after login (a stuck home directory, a shell start-up file) must not hold the
     * pre-check for the whole command timeout.
     */
    private static Duration preCheckTimeout(DeploymentRun run) {
        Duration connect = run.environment().ssh().connectTimeout();
        Duration command = run.environment().commandTimeout();
        return connect.compareTo(command) < 0 ? connect : command;
    }

    /** Route step: the step record is written before anything is rendered or sent. */
    public void open(Exchange exchange) {
        RemoteCall call = call(exchange);
        exchange.setProperty(STEP, steps.open(call.run().id(), call.stage(), call.host().toString(), call.attempt()));
    }

    /** Route step: the command with every value validated and shell-quoted as the body, and the endpoint to send it to. */
    public void render(Exchange exchange) {
        RemoteCall call = call(exchange);
        exchange.getMessage().setBody(call.command().renderShell(call.run().templateValues(call.host())));
        exchange.setProperty(ENDPOINT, call.run().sshEndpoint(call.host(), call.timeout()));
    }

    /** Route step, when the command could not be rendered or sent: the step fails with the reason. */
    public void notRun(Exchange exchange) {
        RemoteCall call = call(exchange);
        String why = whyNotRun(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class), call);
        steps.close(step(exchange), false, null, null, why);
        LOG.warn("deployment {}: {} on {} failed: {}", call.run().id(), call.stage(), call.host(), steps.redact(why));
        throw new StepFailedException(call.probe() ? why : call.stage() + " on " + call.host() + " failed: " + why);
    }

    /** Route step: the answer (exit code, output, duration) is recorded in the step. */
    public void close(Exchange exchange) {
        RemoteCall call = call(exchange);
        CommandResult result = SshHeaders.result(exchange.getMessage());
        String detail = result.succeeded() ? call.note() : failure(call, result);
        steps.close(step(exchange), result.succeeded(), result.exitCode(), output(result), detail);
        LOG.info("deployment {}: {} on {} {} in {} ms", call.run().id(), call.stage(), call.host(),
                result.succeeded() ? "succeeded" : steps.redact(detail), result.duration().toMillis());
    }

    /** Route step: a non-zero exit or a timeout fails the pipeline here. */
    public void judge(Exchange exchange) {
        RemoteCall call = call(exchange);
        CommandResult result = SshHeaders.result(exchange.getMessage());
        if (result.succeeded()) return;
        String failure = failure(call, result);
        throw new CommandFailedException(call.probe() ? failure : call.stage() + " on " + call.host() + " " + failure,
                result);
    }

    private String failure(RemoteCall call, CommandResult result) {
        String outcome = result.timedOut() ? "timed out after " + Durations.format(call.timeout())
                : "exited with status " + result.exitCode();
        if (!call.probe()) return outcome;
        String said = output(result).strip();
        said = said.length() > 200 ? said.substring(0, 200) + "…" : said;
        return steps.redact(call.host() + ": the account cannot run commands (`true` " + outcome
                + (said.isEmpty() ? ")" : ": " + said + ")"));
    }

    /**
     * Why a command did not run, as a sentence for the step and the deployment's reason. SSH failures are written for
     * operators; anything else is an internal error whose technical detail belongs in the log only.
     */
    private static String whyNotRun(Throwable cause, RemoteCall call) {
        if (cause instanceof StepFailedException || cause instanceof SshException) return cause.getMessage();
        if (cause instanceof ResolveEndpointFailedException e) {
            Throwable root = e.getCause() != null ? e.getCause() : e;
            return "invalid ssh endpoint: " + root.getMessage();
        }
        if (cause instanceof IllegalArgumentException) return "refused by the ssh endpoint: " + cause.getMessage();
        LOG.error("deployment {}: {} on {} could not be run", call.run().id(), call.stage(), call.host(), cause);
        return "an internal error stopped the command before it ran (the log of deployment " + call.run().id()
                + " has the details)";
    }

    private static String stage(DeploymentRun run, String key) {
        if (!run.rollingBack()) return key;
        return "deploy".equals(key) ? "rollback" : "rollback-" + key;
    }

    private static RemoteCall call(Exchange exchange) {
        return exchange.getProperty(RemoteCall.PROPERTY, RemoteCall.class);
    }

    private static long step(Exchange exchange) {
        return exchange.getProperty(STEP, Long.class);
    }

    private static String output(CommandResult r) {
        String out = r.stdout() == null ? "" : r.stdout();
        String err = r.stderr() == null ? "" : r.stderr();
        return err.isEmpty() ? out : out + (out.isEmpty() || out.endsWith("\n") ? "" : "\n") + "[stderr]\n" + err;
    }
}
