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
    /**
     * A succeeded deployment that some manual rollback named. The sub-query names no column of the row: both
     * databases read the manual rollbacks once and probe that set per row, instead of joining them to every row.
     */
    private static final String ROLLED_BACK_LATER = "case when status = " + SUCCEEDED
            + " and id in (select rollback_of from deployments where trigger_kind = " + MANUAL_ROLLBACK + ") then 1 end";

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
            + LEAD_TIME + " lead_time, " + ROLLED_BACK_LATER + " later from deployments %s) d";

    /**
     * Day number since 1970-01-01 (UTC): the whole days of the interval since then. Both databases subtract two
     * timestamps with time zone into days and a time of day below 24 h. {@code extract(epoch …) / 86400}, the same
     * number, is decimal arithmetic: on H2 it took about five times the CPU time per row.
     */
    private static final String DAY = "extract(day from created_at - timestamp with time zone '1970-01-01 00:00:00+00')";
    /** The ISO week (from Monday) of day d is (d + 3) / 7, as day 0 was a Thursday. */
    private static final String WEEK = "floor((epoch_day + 3) / 7)";
    private static final String SUCCEEDED_COUNT = "count(case when status = " + SUCCEEDED + " then 1 end)";
    /**
     * One row per day with deployments, carrying its week's totals too (window sums over the days of the week): the
     * days and the weeks from one pass over the window.
     */
    private static final String SERIES = "select epoch_day, " + WEEK + " week, count(*) deployments, "
            + SUCCEEDED_COUNT + " succeeded, sum(count(*)) over (partition by " + WEEK + ") week_deployments, "
            + "sum(" + SUCCEEDED_COUNT + ") over (partition by " + WEEK + ") week_succeeded "
            + "from (select " + DAY + " epoch_day, status from deployments %s) d group by epoch_day order by epoch_day";

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
            Series series = series(c, f);
            return new DeliveryFigures(totals.outcomes(), totals.timeToDeploy(), totals.timeToRecovery(),
                    totals.leadTime(), series.days(), series.weeks());
        });
    }

    private record Totals(Outcomes outcomes, DurationSummary timeToDeploy, DurationSummary timeToRecovery,
                          DurationSummary leadTime) {
    }

    private record Series(List<Bucket> days, List<Bucket> weeks) {
    }

    /** A row of {@link #SERIES}: its day, and the week that day belongs to with the week's totals. */
    private record SeriesRow(Bucket day, Bucket week) {
    }

    /**
     * The deployments per UTC day and per ISO week, only the days and weeks with any. Each day's row carries its
     * week's totals, so the rows of one week name the same week bucket.
     */
    private static Series series(Connection c, Filter f) throws SQLException {
        List<SeriesRow> rows = Jdbc.query(c, SERIES.formatted(f.where()), rs -> new SeriesRow(
                new Bucket(LocalDate.ofEpochDay(rs.getLong("epoch_day")), rs.getLong("deployments"),
                        rs.getLong("succeeded")),
                new Bucket(LocalDate.ofEpochDay(rs.getLong("week") * 7 - 3), rs.getLong("week_deployments"),
                        rs.getLong("week_succeeded"))), f.params());
        return new Series(rows.stream().map(SeriesRow::day).toList(),
                rows.stream().map(SeriesRow::week).distinct().toList());
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
