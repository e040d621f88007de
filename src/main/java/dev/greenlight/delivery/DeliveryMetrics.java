package dev.greenlight.delivery;

import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.TriggerKind;
import dev.greenlight.store.Filter;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Delivery figures computed by the database from the stored deployments, with SQL that PostgreSQL and H2 answer
 * alike: conditional counts, {@code avg} and {@code percentile_cont} over the durations in seconds stored with each
 * deployment when it ended, and the days in UTC (the weeks, from Monday, summed from them), so no session time zone
 * enters a figure.
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
     * One row per UTC day with deployments, numbered from 1970-01-01. PostgreSQL groups by the date of
     * {@code created_at} in UTC, half the time of grouping by a day number computed per row (52 against 104 ms over
     * 100,000 rows); H2 casts to a date in the session's time zone whatever the value's own, so there the day number
     * is the whole days of the interval since the epoch. The weeks are summed from these rows.
     */
    private static final String SERIES = "select %s epoch_day, count(*) deployments, count(case when status = "
            + SUCCEEDED + " then 1 end) succeeded from (select %s utc_day, status from deployments %%s) d "
            + "group by utc_day order by utc_day";
    private static final String POSTGRES_SERIES = SERIES.formatted("utc_day - date '1970-01-01'",
            "cast(created_at at time zone 'UTC' as date)");
    private static final String H2_SERIES = SERIES.formatted("utc_day",
            "extract(day from created_at - timestamp with time zone '1970-01-01 00:00:00+00')");

    private final Jdbc jdbc;

    public DeliveryMetrics(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** One snapshot (repeatable read): the counts, the durations and the series agree with each other. */
    public DeliveryFigures figures(MetricsQuery query) {
        Filter f = query.filter();
        return jdbc.inTransaction(c -> {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            // The right plan depends on the window and the filters (one environment through its index, a month
            // through created_at's). PostgreSQL's JDBC driver prepares a statement on the server from its fifth
            // execution on, and a generic plan then guesses the window blind (125 rows) and reads created_at's index
            // for every window: a year of one environment's series took 98 ms against 23 ms planned for its values.
            boolean postgres = Jdbc.isPostgres(c);
            if (postgres) Jdbc.update(c, "set local plan_cache_mode = force_custom_plan");
            Totals totals = Jdbc.query(c, FIGURES.formatted(f.where()), rs -> new Totals(outcomes(rs),
                    summary(rs, "deploy"), summary(rs, "recovery"), summary(rs, "lead_time")), f.params()).get(0);
            Series series = series(c, postgres ? POSTGRES_SERIES : H2_SERIES, f);
            return new DeliveryFigures(totals.outcomes(), totals.timeToDeploy(), totals.timeToRecovery(),
                    totals.leadTime(), series.days(), series.weeks());
        });
    }

    private record Totals(Outcomes outcomes, DurationSummary timeToDeploy, DurationSummary timeToRecovery,
                          DurationSummary leadTime) {
    }

    private record Series(List<Bucket> days, List<Bucket> weeks) {
    }

    /** The deployments per UTC day and per ISO week (from Monday), only the days and weeks with any. */
    private static Series series(Connection c, String series, Filter f) throws SQLException {
        List<Bucket> days = Jdbc.query(c, series.formatted(f.where()), rs -> new Bucket(
                LocalDate.ofEpochDay(rs.getLong("epoch_day")), rs.getLong("deployments"), rs.getLong("succeeded")),
                f.params());
        Map<LocalDate, Bucket> weeks = new LinkedHashMap<>(); // the days come in order, so the weeks do too
        for (Bucket day : days) {
            LocalDate monday = day.start().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            weeks.merge(monday, new Bucket(monday, day.deployments(), day.succeeded()), (week, more) ->
                    new Bucket(monday, week.deployments() + more.deployments(), week.succeeded() + more.succeeded()));
        }
        return new Series(days, List.copyOf(weeks.values()));
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
