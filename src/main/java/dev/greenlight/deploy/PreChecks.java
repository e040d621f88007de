package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import dev.greenlight.health.RegistryClient;
import dev.greenlight.health.RegistryException;
import dev.greenlight.health.TagCheck;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Checks made before anything changes: a failure here ends the deployment as failed, with nothing to undo. */
public final class PreChecks {
    private final RemoteCommands commands;
    private final RegistryClient registry;
    private final StepStore steps;
    private final Executor hostWork;

    public PreChecks(RemoteCommands commands, RegistryClient registry, StepStore steps, Executor hostWork) {
        this.hostWork = hostWork;
        this.commands = commands;
        this.steps = steps;
        this.registry = registry;
    }

    /** Every command renders for every host (values validated), and every host answers over SSH. */
    public void hosts(DeploymentRun run) {
        List<HostAddress> hosts = run.sshHosts();
        for (HostAddress host : hosts) {
            run.environment().commands().values().forEach(t -> t.renderShell(run.templateValues(host)));
        }
        // sessions opened here are reused by the deploy steps that follow
        List<CompletableFuture<String>> checks = hosts.stream()
                .map(host -> CompletableFuture.supplyAsync(() -> reach(run, host), hostWork)).toList();
        List<String> unreachable = checks.stream().map(CompletableFuture::join).filter(p -> p != null).toList();
        if (!unreachable.isEmpty()) throw new StepFailedException("pre-check: " + String.join("; ", unreachable));
    }

    private String reach(DeploymentRun run, HostAddress host) {
        Optional<String> problem = commands.probe(run, host);
        steps.record(run.id(), "pre-check", host.toString(), 1, problem.isEmpty(),
                problem.orElse("reachable over SSH, host key verified, commands run"));
        return problem.orElse(null);
    }

    /** The image tag exists in the registry (after the build stage when there is one). */
    public void image(DeploymentRun run) {
        String image = run.app().image();
        if (image == null) return;
        String version = run.installingVersion();
        try {
            TagCheck check = registry.tagExists(image, version);
            steps.record(run.id(), "registry", null, 1, check.exists(), image + ":" + version + ": " + check.detail());
            if (!check.exists()) throw new StepFailedException("image " + image + ":" + version + " is not in the registry");
        } catch (RegistryException | IllegalArgumentException e) {
            steps.record(run.id(), "registry", null, 1, false, e.getMessage());
            throw new StepFailedException("registry check of " + image + ":" + version + " failed: " + e.getMessage());
        }
    }
}
