package dev.greenlight.deploy;

import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Writes a finished deployment's durations, in seconds, into its row (columns of migration V14), for the delivery
 * figures to aggregate as plain numbers: trigger to end ({@code deploy_seconds}), commit to end ({@code lead_seconds},
 * when the commit time is known) and the move to rolling_back to the end ({@code rollback_seconds}, when it rolled
 * back). They are computed by the database from the stored times, as the figures were before they were stored.
 */
public final class DeploymentDurations {
    private static final String ROLLING_BACK = "deployment." + DeploymentStatus.ROLLING_BACK.key();
    private static final String WRITE = "update deployments set "
            + "deploy_seconds = extract(epoch from finished_at) - extract(epoch from created_at), "
            + "lead_seconds = extract(epoch from finished_at) - extract(epoch from commit_time), "
            + "rollback_seconds = extract(epoch from finished_at) - (select extract(epoch from min(a.at)) "
            + "from audit_log a where a.deployment_id = deployments.id and a.action = ?) "
            + "where id = ? and finished_at is not null";

    private DeploymentDurations() {
    }

    /** Inside the transaction that set {@code finished_at}; nothing for a deployment that has not finished. */
    public static void write(Connection c, long id) throws SQLException {
        Jdbc.update(c, WRITE, ROLLING_BACK, id);
    }
}
