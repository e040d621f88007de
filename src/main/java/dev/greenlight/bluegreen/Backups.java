package dev.greenlight.bluegreen;

import dev.greenlight.deploy.BlueGreenRun;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.StepFailedException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Names and records the database dumps of a blue-green deployment: its backup before anything moves, and, before a
 * restore, the set-aside dump of the database as it is (so that the writes made since the backup are kept, never
 * destroyed). A name is {@code <app>-<environment>-<deployment>-<UTC yyyyMMdd'T'HHmmss'Z'>}, unique per deployment
 * and sortable by time; it is recorded before the dump starts, like every step. The dump itself is the environment's
 * {@code backup} command, run by the route.
 */
public final class Backups {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final DeploymentStore deployments;
    private final Clock clock;

    public Backups(DeploymentStore deployments, Clock clock) {
        this.deployments = deployments;
        this.clock = clock;
    }

    /** Before the backup: its name becomes {@code {{backup}}} and is recorded with the time. */
    public void backup(DeploymentRun run) {
        Instant now = Instant.now(clock);
        String name = name(run, now, "");
        run.blueGreen().backup(name);
        deployments.recordBackup(run.id(), name, now);
    }

    /** Before the set-aside dump: its own name, recorded with the time (the end of the set-aside window). */
    public void setAside(DeploymentRun run) {
        Instant now = Instant.now(clock);
        String name = name(run, now, "-set-aside");
        run.blueGreen().backup(name);
        deployments.recordSetAside(run.id(), name, now);
    }

    /**
     * Before the restore: {@code {{backup}}} names the backup of deployment {@code from} (the run's own, or the one a
     * manual rollback rolls back).
     *
     * @return what the restore's step says it restored
     */
    public String restore(DeploymentRun run, long from) {
        String name = deployments.find(from).map(d -> d.blueGreen().backupName())
                .orElseThrow(() -> new StepFailedException("restore: deployment " + from + " recorded no backup, so "
                        + "there is nothing to restore"));
        run.blueGreen().backup(name);
        return "restored " + name + (from == run.id() ? "" : ", the backup of deployment " + from);
    }

    String name(DeploymentRun run, Instant at, String suffix) {
        return BlueGreenRun.requireBackupName(run.environment().app() + "-" + run.environment().name() + "-"
                + run.id() + "-" + STAMP.format(at) + suffix);
    }
}
