package dev.greenlight.delivery;

import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.TriggerKind;
import dev.greenlight.store.Filter;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;

/**
 * Delivery figures computed by the database from the stored deployments, with SQL that PostgreSQL and H2 answer
 * alike: conditional counts, {@code avg} and {@code percentile_cont} over the durations in seconds stored with each
 * deployment when it ended, and days and weeks numbered from the epoch (UTC), so no session time zone enters a
 * figure.
 */
public final class DeliveryMetrics {
    private static final String SUCCEEDED = quoted(DeploymentStatus.SUCCEEDED);
    private static final String ROLLED_BACK = quoted(DeploymentStatus.ROLLED_BACK);
    private static final String MANUAL_ROLLBACK = "'" + TriggerKind.ROLLBACK.key() + "'";

    // the durations were stored when each deployment ended (deploy.DeploymentDurations): the figures take those of
    // the deployments that count for them
    private static final String TIME_TO_DEPLOY = "case when status = " + SUCCEEDED + " then deploy_seconds end";
    private static final String LEAD_TIME = "case when status = " + SUCCEEDED + " then lead_seconds end";
    private static final String TIME_TO_RECOVERY = "case when status = " + ROLLED_BACK + " then rollback_seconds end";
    /** The deployments some manual rollback named, each once: joined, not looked up per row. */
    private static final String ROLLED_BACK_BY_HAND = "(select distinct rollback_of from deployments "
            + "where trigger_kind = " + MANUAL_ROLLBACK + " and rollback_of is not null) r";
    private static final String ROLLED_BACK_LATER = "case when status = " + SUCCEEDED
            + " and r.rollback_of is not null then 1 end";

    // each row's figures are picked once, in the inner select, then aggregated
    private static final String FIGURES = "select count(*) total"
            + count("succeeded", "status = " + SUCCEEDED)
            + count("failed", "status = " + quoted(DeploymentStatus.FAILED))
            + count("rolled_back", "status = " + ROLLED_BACK)
            + count("rollback_failed", "status = " + quoted(DeploymentStatus.ROLLBACK_FAILED))
            + count("cancelled", "status = " + quoted(DeploymentStatus.CANCELLED))
            + count("manual_rollbacks", "trigger_kind = " + MANUAL_ROLLBACK)
            + ", count(later) rolled_back_later"
            + summary("deploy") + summary("recovery") + summary("lead_time")
            + " from (select status, trigger_kind, " + TIME_TO_DEPLOY + " deploy, " + TIME_TO_RECOVERY + " recovery, "
            + LEAD_TIME + " lead_time, " + ROLLED_BACK_LATER + " later from deployments w left join " + ROLLED_BACK_BY_HAND
            + " on r.rollback_of = w.id %s) d";

    /** Day number since 1970-01-01 (UTC); the ISO week (from Monday) of day d is (d + 3) / 7, as day 0 was a Thursday. */
    private static final String DAY = "floor(extract(epoch from created_at) / 86400)";
    private static final String SERIES = "select floor((epoch_day + %d) / %d) bucket, count(*) deployments, "
            + "count(case when status = " + SUCCEEDED + " then 1 end) succeeded "
            + "from (select " + DAY + " epoch_day, status from deployments %s) d "
            + "group by floor((epoch_day + %d) / %d) order by 1";

    private final Jdbc jdbc;

    public DeliveryMetrics(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** One snapshot (repeatable read): the counts, the durations and the series agree with each other. */
    public DeliveryFigures figures(MetricsQuery query) {
        Filter f = query.filter();
        return jdbc.inTransaction(c -> {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Totals totals = Jdbc.query(c, FIGURES.formatted(f.where()), rs -> new Totals(outcomes(rs),
                    summary(rs, "deploy"), summary(rs, "recovery"), summary(rs, "lead_time")), f.params()).get(0);
            return new DeliveryFigures(totals.outcomes(), totals.timeToDeploy(), totals.timeToRecovery(),
                    totals.leadTime(), series(c, f, 0, 1), series(c, f, 3, 7));
        });
    }

    private record Totals(Outcomes outcomes, DurationSummary timeToDeploy, DurationSummary timeToRecovery,
                          DurationSummary leadTime) {
    }

    /**
     * Deployments per bucket of {@code size} days, the buckets shifted by {@code offset} days (3 and 7: ISO weeks).
     * Only buckets with deployments are listed.
     */
    private static List<Bucket> series(Connection c, Filter f, int offset, int size) throws SQLException {
        return Jdbc.query(c, SERIES.formatted(offset, size, f.where(), offset, size),
                rs -> new Bucket(LocalDate.ofEpochDay(rs.getLong("bucket") * size - offset), rs.getLong("deployments"),
                        rs.getLong("succeeded")), f.params());
    }

    private static Outcomes outcomes(ResultSet rs) throws SQLException {
        return new Outcomes(rs.getLong("total"), rs.getLong("succeeded"), rs.getLong("failed"),
                rs.getLong("rolled_back"), rs.getLong("rollback_failed"), rs.getLong("cancelled"),
                rs.getLong("manual_rollbacks"), rs.getLong("rolled_back_later"));
    }

    private static DurationSummary summary(ResultSet rs, String name) throws SQLException {
        return new DurationSummary(rs.getLong(name + "_count"), seconds(rs, name + "_mean"), seconds(rs, name + "_p50"),
                seconds(rs, name + "_p90"));
    }

    /** Milliseconds are the stored precision: more digits would only be noise of the arithmetic. */
    private static Double seconds(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : Math.round(v * 1000) / 1000.0;
    }

    /** Count, mean, p50 and p90 of the inner select's column {@code name}; its nulls are left out. */
    private static String summary(String name) {
        return ", count(" + name + ") " + name + "_count, avg(" + name + ") " + name + "_mean"
                + ", percentile_cont(0.5) within group (order by " + name + ") " + name + "_p50"
                + ", percentile_cont(0.9) within group (order by " + name + ") " + name + "_p90";
    }

    private static String count(String name, String condition) {
        return ", count(case when " + condition + " then 1 end) " + name;
    }

    private static String quoted(DeploymentStatus status) {
        return "'" + status.key() + "'";
    }
}
