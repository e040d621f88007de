package dev.greenlight.deploy;

import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.HostAddress;
import dev.greenlight.ssh.SshSessionPool;

/** Opens and closes a pipeline run: loads the deployment and its environment, frees SSH sessions at the end. */
public final class DeploymentRuns {
    private final GreenlightConfig config;
    private final DeploymentStore deployments;
    private final DeploymentFinisher finisher;
    private final SshSessionPool ssh;

    public DeploymentRuns(GreenlightConfig config, DeploymentStore deployments, DeploymentFinisher finisher,
                          SshSessionPool ssh) {
        this.config = config;
        this.deployments = deployments;
        this.finisher = finisher;
        this.ssh = ssh;
    }

    public DeploymentRun open(long id) {
        Deployment d = deployments.find(id).orElseThrow(() -> new IllegalStateException("no deployment " + id));
        EnvironmentConfig env = config.environment(d.app(), d.environment())
                .orElseThrow(() -> new IllegalStateException(d.app() + "/" + d.environment() + " is no longer configured"));
        return new DeploymentRun(d, config.apps().get(d.app()), env);
    }

    /** Between steps: a requested cancel stops the pipeline here, and what was changed is rolled back. */
    public void cancelPoint(DeploymentRun run) {
        if (deployments.cancelRequested(run.id())) throw new DeploymentCancelledException(run.id());
    }

    /** Recorded before a host is changed, so that a failure half-way through its update still rolls it back. */
    public void touch(DeploymentRun run, HostAddress host) {
        run.touch(host);
    }

    public void succeed(DeploymentRun run) {
        finisher.succeeded(run.id());
    }

    public void close(DeploymentRun run) {
        run.sshHosts().forEach(h -> ssh.release(run.target(h)));
    }
}
