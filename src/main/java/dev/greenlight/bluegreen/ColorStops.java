package dev.greenlight.bluegreen;

import dev.greenlight.config.BlueGreenSpec;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.HostAddress;
import dev.greenlight.deploy.BlueGreenRun;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.store.Jdbc;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The old colour of a succeeded blue-green deployment keeps running for {@code keep-previous}, so that a rollback in
 * that time only switches back; then it is stopped. A stop is a row of {@code color_stops}, scheduled by the pipeline
 * as its last step; the stop-previous-colors timer route takes the due ones, each under its environment's lease, and
 * runs {@code stop} on every host as steps of the deployment.
 */
public final class ColorStops {
    private static final Logger LOG = LoggerFactory.getLogger(ColorStops.class);

    /** A stop that is due: what to stop, and the deployment it belongs to. */
    public record Due(long id, long deploymentId, String app, String environment, String color) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final CurrentConfig config;
    private final DeploymentStore deployments;
    private final EnvironmentLease lease;

    public ColorStops(Jdbc jdbc, Clock clock, CurrentConfig config, DeploymentStore deployments,
                      EnvironmentLease lease) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.config = config;
        this.deployments = deployments;
        this.lease = lease;
    }

    /** The pipeline's last step: the previous colour is stopped once keep-previous has passed. */
    public void schedule(DeploymentRun run) {
        BlueGreenRun colors = run.blueGreen();
        if (!colors.previousRunning()) return;
        Deployment d = run.deployment();
        jdbc.update("insert into color_stops (deployment_id, app, environment, color, version, due_at) "
                        + "values (?, ?, ?, ?, ?, ?)", d.id(), d.app(), d.environment(), colors.previousColor().name(),
                d.previousVersion(), Instant.now(clock).plus(colors.spec().keepPrevious()));
    }

    /**
     * A deployment starts on {@code color}: its pending stop is cancelled.
     *
     * @return the version that colour still runs, when a stop was pending
     */
    public Optional<String> takeOver(String app, String environment, String color) {
        List<String> versions = jdbc.query("select version from color_stops where app = ? and environment = ? "
                + "and color = ? and done_at is null and cancelled_at is null order by id desc",
                rs -> rs.getString(1), app, environment, color);
        jdbc.update("update color_stops set cancelled_at = ?, outcome = ? where app = ? and environment = ? "
                + "and color = ? and done_at is null and cancelled_at is null", Instant.now(clock),
                "a later deployment took the colour over", app, environment, color);
        return versions.stream().findFirst();
    }

    /** A rollback of {@code run} cancels the stop it scheduled: the previous colour takes the traffic again. */
    public void cancel(DeploymentRun run) {
        jdbc.update("update color_stops set cancelled_at = ?, outcome = ? where deployment_id = ? and done_at is null "
                + "and cancelled_at is null", Instant.now(clock), "the deployment was rolled back", run.id());
    }

    /** The stops that are due, oldest first. */
    public List<Due> due() {
        return jdbc.query("select id, deployment_id, app, environment, color from color_stops "
                        + "where done_at is null and cancelled_at is null and due_at <= ? order by id",
                rs -> new Due(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)),
                Instant.now(clock));
    }

    /**
     * The run that stops {@code stop}'s colour, holding its environment's lease; null when that must wait (a
     * deployment runs there) or must not happen (the deployment did not succeed: the stop is cancelled).
     */
    public DeploymentRun open(Due stop) {
        Deployment d = deployments.find(stop.deploymentId()).orElseThrow();
        GreenlightConfig current = config.get();
        var env = current.environment(stop.app(), stop.environment()).filter(e -> e.blueGreen() != null)
                .filter(e -> configured(e.blueGreen(), d.blueGreen().color()) && configured(e.blueGreen(), stop.color()));
        if (d.status() != DeploymentStatus.SUCCEEDED || env.isEmpty()) {
            close(stop.id(), "cancelled_at", "not stopped: " + (env.isEmpty()
                    ? "the environment is no longer a blue-green one with these colours"
                    : "deployment " + d.id() + " is " + d.status().key()));
            return null;
        }
        if (!lease.tryAcquire(stop.app(), stop.environment())) return null; // busy: the next round tries again
        DeploymentRun run = new DeploymentRun(d, current.apps().get(d.app()), env.get());
        var spec = env.get().blueGreen();
        run.blueGreen().choose(spec.color(d.blueGreen().color()), spec.color(stop.color()));
        run.blueGreen().actOnPrevious();
        return run;
    }

    /** After {@code stop} ran on every host (failures recorded on the run): done, and the lease released. */
    public void finish(Due stop, DeploymentRun run) {
        List<String> failures = run.rollbackFailures();
        String outcome = failures.isEmpty() ? "stopped on " + hosts(run.environment().hosts())
                : "stop failed: " + String.join("; ", failures);
        if (failures.isEmpty()) {
            LOG.info("old colour {} of {}/{} (deployment {}) {}", stop.color(), stop.app(), stop.environment(),
                    stop.deploymentId(), outcome);
        } else {
            LOG.error("the old colour {} of {}/{} could not be stopped everywhere: {}", stop.color(), stop.app(),
                    stop.environment(), outcome);
        }
        try {
            close(stop.id(), "done_at", outcome);
        } finally {
            lease.release(stop.app(), stop.environment());
        }
    }

    private void close(long id, String column, String outcome) {
        jdbc.update("update color_stops set " + column + " = ?, outcome = ? where id = ?", Instant.now(clock),
                Jdbc.fit(outcome, 2000), id);
    }

    private static boolean configured(BlueGreenSpec spec, String color) {
        return spec.colors().stream().anyMatch(c -> c.name().equals(color));
    }

    private static String hosts(List<HostAddress> hosts) {
        return String.join(", ", hosts.stream().map(HostAddress::toString).toList());
    }
}
