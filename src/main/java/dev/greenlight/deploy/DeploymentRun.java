package dev.greenlight.deploy;

import dev.greenlight.config.AppConfig;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.HostAddress;
import dev.greenlight.ssh.SshEndpointUri;
import dev.greenlight.ssh.SshTarget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the pipeline routes carry for one running deployment: the deployment, its environment, and what has been
 * changed so far (the hosts touched), which is what a rollback must undo. Shared by the parallel branches of a
 * batch, so the mutable part is synchronized.
 */
public final class DeploymentRun {
    private final Deployment deployment;
    private final AppConfig app;
    private final EnvironmentConfig environment;
    private final Set<HostAddress> touched = Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile boolean abandoned;
    private final List<String> rollbackFailures = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean rollingBack;
    private volatile String failureReason;
    private volatile boolean cancelled;
    private final BlueGreenRun blueGreen;

    public DeploymentRun(Deployment deployment, AppConfig app, EnvironmentConfig environment) {
        this.deployment = deployment;
        this.app = app;
        this.environment = environment;
        this.blueGreen = environment.blueGreen() == null ? null : new BlueGreenRun(environment.blueGreen());
    }

    /** The blue-green part of the run; null for a rolling environment. */
    public BlueGreenRun blueGreen() {
        return blueGreen;
    }

    public Deployment deployment() {
        return deployment;
    }

    public long id() {
        return deployment.id();
    }

    public AppConfig app() {
        return app;
    }

    public EnvironmentConfig environment() {
        return environment;
    }

    /** The strategy's route suffix: direct:pipeline-rolling, direct:pipeline-blue-green. */
    public String getStrategy() {
        return environment.strategy().key();
    }

    /** Hosts in batches of the configured size, in configured order. */
    public List<List<HostAddress>> getBatches() {
        List<HostAddress> hosts = environment.hosts();
        int size = environment.batch().resolve(hosts.size());
        List<List<HostAddress>> batches = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i += size) {
            batches.add(List.copyOf(hosts.subList(i, Math.min(i + size, hosts.size()))));
        }
        return batches;
    }

    /**
     * Every host the deployment reaches over SSH: the environment's hosts, then the build host and the backup host if
     * they are others.
     */
    public List<HostAddress> sshHosts() {
        Set<HostAddress> hosts = new LinkedHashSet<>(environment.hosts());
        if (environment.buildHost() != null) hosts.add(environment.buildHost());
        if (blueGreen != null) hosts.add(blueGreen.spec().backupHost());
        return List.copyOf(hosts);
    }

    /**
     * The base URL of a health check of {@code host}: the colour acted on through {@code health.url}, or, once health
     * goes through the live path, {@code health.live-url} when it is set.
     */
    public String healthBase(HostAddress host) {
        boolean live = blueGreen != null && blueGreen.throughLive() && blueGreen.spec().liveUrl() != null;
        return (live ? blueGreen.spec().liveUrl() : environment.healthUrl()).renderPlain(templateValues(host));
    }

    /** The stage of an HTTP health check's step: health, live-health after a switch, rollback-health. */
    public String healthStage() {
        if (rollingBack) return "rollback-health";
        return blueGreen != null && blueGreen.throughLive() ? "live-health" : "health";
    }

    /** The hosts smoke tests run against: every host, when the environment has smoke tests and a URL to call. */
    public List<HostAddress> smokeHosts() {
        return environment.smoke().isEmpty() || environment.healthUrl() == null ? List.of() : environment.hosts();
    }

    public HostAddress firstHost() {
        return environment.hosts().get(0);
    }

    public SshTarget target(HostAddress host) {
        var ssh = environment.ssh();
        return new SshTarget(host.host(), host.port(), ssh.user(), ssh.keyFile(), ssh.knownHosts(), ssh.connectTimeout(),
                ssh.keyExchange());
    }

    /**
     * The host's camel-ssh endpoint, with this environment's key, known_hosts and connect timeout, and a bound on how
     * long a command may run; every endpoint of a host shares its pooled session. The environment's endpoints share
     * one bound on how many sessions are being opened at once.
     */
    public String sshEndpoint(HostAddress host, java.time.Duration commandTimeout) {
        return SshEndpointUri.of(target(host), commandTimeout, environment.key(), environment.ssh().maxConcurrentStarts());
    }

    /** Recorded before a host is changed, so a failure half-way through its update still rolls it back. */
    public void touch(HostAddress host) {
        touched.add(host);
    }

    public List<HostAddress> touched() {
        synchronized (touched) {
            return List.copyOf(touched);
        }
    }

    public boolean rollingBack() {
        return rollingBack;
    }

    /** The run stopped because the database stayed away: nothing more is done or recorded for it here. */
    public void abandon() {
        abandoned = true;
    }

    public boolean abandoned() {
        return abandoned;
    }

    public void startRollback(String reason, boolean cancel) {
        failureReason = reason;
        cancelled = cancel;
        rollingBack = true;
    }

    /** The rollback undoes a requested cancel, not a failure. */
    public boolean cancelled() {
        return cancelled;
    }

    /** Why the deployment is being rolled back. */
    public String failureReason() {
        return failureReason;
    }

    public void rollbackFailed(String why) {
        rollbackFailures.add(why);
    }

    public List<String> rollbackFailures() {
        return List.copyOf(rollbackFailures);
    }

    /**
     * The version this run installs: the deployment's own, or during rollback the previous one. In blue-green, the
     * version of the colour acted on: the previous colour runs the previous version.
     */
    public String installingVersion() {
        return installsPrevious() ? deployment.previousVersion() : deployment.version();
    }

    private boolean installsPrevious() {
        return blueGreen == null ? rollingBack : blueGreen.actingOnPrevious();
    }

    /** Template values for a command on {@code host}; every value is validated before it can reach a shell. */
    public Map<String, String> templateValues(HostAddress host) {
        Map<String, String> v = new LinkedHashMap<>();
        String version = installingVersion();
        String other = installsPrevious() ? deployment.version() : deployment.previousVersion();
        v.put("version", requireTag(version));
        v.put("previous_version", other == null ? "" : requireTag(other));
        String sha = deployment.commitSha();
        v.put("sha", sha == null || installsPrevious() ? "" : requireSha(sha));
        v.put("sha7", sha == null || installsPrevious() ? "" : requireSha(sha).substring(0, 7));
        v.put("host", host.host());
        v.put("app", environment.app());
        v.put("environment", environment.name());
        v.put("deployment", String.valueOf(deployment.id()));
        if (blueGreen != null) blueGreen.addValues(v);
        return v;
    }

    private static String requireTag(String version) {
        if (!Versions.isValidTag(version)) throw new StepFailedException(Versions.invalidTagMessage(version));
        return version;
    }

    private static String requireSha(String sha) {
        if (!Versions.isValidSha(sha)) throw new StepFailedException(Versions.invalidShaMessage(sha));
        return sha;
    }
}
