package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import dev.greenlight.config.Template;
import java.time.Duration;

/**
 * One remote command to run as a step: the command, the host, the stage and attempt its step record gets and how long
 * it may run. The remote-command route carries it in exchange property {@value #PROPERTY}.
 *
 * @param probe the pre-check's {@code true}: its step says what was proven, and a failure says the host cannot be
 *              used rather than that a command failed
 * @param note  what the step's detail says when the command succeeds (null: nothing)
 */
public record RemoteCall(DeploymentRun run, HostAddress host, String stage, int attempt, Template command,
                         Duration timeout, boolean probe, String note) {
    public static final String PROPERTY = "command";
}
