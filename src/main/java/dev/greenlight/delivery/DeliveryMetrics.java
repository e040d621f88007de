package dev.greenlight.delivery;

import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.store.Filter;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Delivery figures computed by the database from the stored deployments, with SQL that PostgreSQL and H2 answer
 * alike. The counts and duration sums of the window's whole days that have been folded ({@link ClosedDays}) are
 * added up from {@code deployment_days}; the rest of the window (its first and last, partial, days, the days not yet
 * closed, and any deployment stored after its day was folded) is read raw. The percentiles ({@code percentile_cont})
 * read every duration of the window, through an index that holds them. Days are UTC days; the weeks, from Monday,
 * are summed from them, so no session time zone enters a figure.
 */
public final class DeliveryMetrics {
    private final Jdbc jdbc;

    public DeliveryMetrics(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** One snapshot (repeatable read): the counts, the durations and the series agree with each other. */
    public DeliveryFigures figures(MetricsQuery query) {
        return jdbc.inTransaction(c -> {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            // The right plan depends on the window and the filters (one environment through its index, a month
            // through created_at's). PostgreSQL's JDBC driver prepares a statement on the server from its fifth
            // execution on, and a generic plan then guesses the window blind (125 rows) and reads created_at's index
            // for every window: a year of one environment's series took 98 ms against 23 ms planned for its values.
            boolean postgres = Jdbc.isPostgres(c);
            if (postgres) Jdbc.update(c, "set local plan_cache_mode = force_custom_plan");
            Split split = Split.of(c, query);
            Tally tally = tally(c, split, postgres);
            Outcomes outcomes = tally.outcomes(rolledBackLater(c, query, postgres));
            Filter succeeded = query.deployments().equal("status", DeploymentStatus.SUCCEEDED.key());
            Map<String, Double> ofSucceeded = percentiles(c, succeeded, "deploy_seconds", "lead_seconds");
            Filter rolledBack = query.deployments().equal("status", DeploymentStatus.ROLLED_BACK.key());
            Map<String, Double> ofRolledBack = percentiles(c, rolledBack, "rollback_seconds");
            List<Bucket> days = days(c, split, postgres);
            return new DeliveryFigures(outcomes, summary(tally.deploy(), ofSucceeded, "deploy_seconds"),
                    summary(tally.recovery(), ofRolledBack, "rollback_seconds"),
                    summary(tally.leadTime(), ofSucceeded, "lead_seconds"), days, weeks(days));
        });
    }

    /**
     * How the window is read: the whole UTC days from {@code first} to before {@code end} from {@code deployment_days}
     * (none when {@code first >= end}), and raw the deployments of the rest of it, and of those days the ones stored
     * after the fold ({@code late}: an id above {@code maxId}).
     */
    private record Split(MetricsQuery query, long first, long end, long maxId, boolean late) {
        static Split of(Connection c, MetricsQuery query) throws SQLException {
            ClosedDays.Folded folded = ClosedDays.Folded.read(c);
            long first = UtcDays.from(query.from());
            long end = Math.min(folded.closedBefore(), UtcDays.of(query.to()));
            if (first >= end) return new Split(query, 0, 0, folded.maxId(), false);
            Instant firstLate = Jdbc.query(c, "select min(created_at) first_late from deployments where id > ?",
                    rs -> Jdbc.instant(rs, "first_late"), folded.maxId()).get(0);
            boolean late = firstLate != null && firstLate.isBefore(UtcDays.start(end));
            return new Split(query, first, end, folded.maxId(), late);
        }

        boolean readsDays() {
            return first < end;
        }

        /**
         * {@code select columns} of the deployments read raw, as a union of parts that each read one range of an
         * index (the parameters follow in {@code params}). Around folded days, the parts are the window's edges, a
         * day or so each: H2, which keeps no statistics of values, would read an app's or environment's rows through
         * {@code deployments_queue} and sift out the edge, so there it is told to read {@code created_at}'s index.
         */
        String raw(String columns, List<Object> params, boolean postgres) {
            if (!readsDays()) return select(columns, "deployments", query.deployments(), params);
            String edges = postgres ? "deployments" : "deployments use index (deployments_created)";
            String raw = select(columns, edges, query.deployments().below("created_at", UtcDays.start(first)), params)
                    + " union all " + select(columns, edges,
                    query.deployments().atLeast("created_at", UtcDays.start(end)), params);
            if (!late) return raw;
            return raw + " union all " + select(columns, "deployments", query.deployments()
                    .atLeast("created_at", UtcDays.start(first)).below("created_at", UtcDays.start(end))
                    .above("id", maxId), params);
        }

        private static String select(String columns, String table, Filter part, List<Object> params) {
            params.addAll(List.of(part.params()));
            return "select " + columns + " from " + table + part.where();
        }
    }

    private static Tally tally(Connection c, Split split, boolean postgres) throws SQLException {
        List<Object> params = new ArrayList<>();
        String raw = "select " + Tally.OF_ROWS + " from (" + split.raw(Tally.ROW, params, postgres) + ") d";
        Tally tally = Jdbc.query(c, raw, Tally::read, params.toArray()).get(0);
        if (!split.readsDays()) return tally;
        Filter days = split.query().days(split.first(), split.end());
        return tally.plus(Jdbc.query(c, "select " + Tally.OF_DAYS + " from deployment_days" + days.where(),
                Tally::read, days.params()).get(0));
    }

    /**
     * The window's succeeded deployments that a manual rollback named afterwards. The few deployments manual rollbacks
     * name are read through their index, and each is looked up by its id; the two planners need that said
     * differently. PostgreSQL turned {@code id in (…)} and a join into a merge over the whole primary key (95 against
     * 27 ms over a year), so there each name is a sub-select of its own; H2, whose planner cannot tell such a
     * sub-select's primary-key look-up from a range of another index, reads {@code id in (…)} as look-ups.
     */
    private static long rolledBackLater(Connection c, MetricsQuery query, boolean postgres) throws SQLException {
        Filter f = query.deployments().equal("status", DeploymentStatus.SUCCEEDED.key());
        String named = "select distinct rollback_of from deployments where trigger_kind = " + Tally.MANUAL_ROLLBACK;
        String sql = postgres
                ? "select count(*) later from (" + named + ") m where (select count(*) from deployments" + f.where()
                        + " and id = m.rollback_of) > 0"
                : "select count(*) later from deployments" + f.where() + " and id in (" + named + ")";
        return Jdbc.query(c, sql, rs -> rs.getLong("later"), f.params()).get(0);
    }

    /** p50 and p90 of each duration column over the rows of {@code f}, keyed {@code <column>_p50} and so on. */
    private static Map<String, Double> percentiles(Connection c, Filter f, String... columns) throws SQLException {
        List<String> select = new ArrayList<>();
        for (String column : columns) {
            select.add("percentile_cont(0.5) within group (order by " + column + ") " + column + "_p50");
            select.add("percentile_cont(0.9) within group (order by " + column + ") " + column + "_p90");
        }
        return Jdbc.query(c, "select " + String.join(", ", select) + " from deployments" + f.where(), rs -> {
            Map<String, Double> out = new LinkedHashMap<>();
            for (String column : columns) {
                out.put(column + "_p50", seconds(rs, column + "_p50"));
                out.put(column + "_p90", seconds(rs, column + "_p90"));
            }
            return out;
        }, f.params()).get(0);
    }

    private static DurationSummary summary(Tally.Sum sum, Map<String, Double> percentiles, String column) {
        Double mean = sum.mean();
        return new DurationSummary(sum.count(), mean == null ? null : milliseconds(mean),
                percentiles.get(column + "_p50"), percentiles.get(column + "_p90"));
    }

    /** The deployments per UTC day, only the days with any, in order. */
    private static List<Bucket> days(Connection c, Split split, boolean postgres) throws SQLException {
        Map<Long, long[]> byDay = new TreeMap<>();
        List<Object> params = new ArrayList<>();
        String raw = "select utc_day, count(*) total, count(case when status = " + Tally.SUCCEEDED + " then 1 end) "
                + "succeeded from (" + split.raw(UtcDays.ofCreatedAt(postgres) + " utc_day, status", params, postgres) + ") d "
                + "group by utc_day";
        addDays(byDay, Jdbc.query(c, raw, DeliveryMetrics::day, params.toArray()));
        if (split.readsDays()) {
            Filter days = split.query().days(split.first(), split.end());
            addDays(byDay, Jdbc.query(c, "select utc_day, sum(total) total, sum(succeeded) succeeded "
                    + "from deployment_days" + days.where() + " group by utc_day", DeliveryMetrics::day, days.params()));
        }
        List<Bucket> out = new ArrayList<>();
        byDay.forEach((day, n) -> out.add(new Bucket(LocalDate.ofEpochDay(day), n[0], n[1])));
        return out;
    }

    private static long[] day(ResultSet rs) throws SQLException {
        return new long[] {rs.getLong("utc_day"), rs.getLong("total"), rs.getLong("succeeded")};
    }

    private static void addDays(Map<Long, long[]> byDay, List<long[]> rows) {
        for (long[] row : rows) {
            long[] n = byDay.computeIfAbsent(row[0], d -> new long[2]);
            n[0] += row[1];
            n[1] += row[2];
        }
    }

    /** The days summed per ISO week (from Monday); the days come in order, so the weeks do too. */
    private static List<Bucket> weeks(List<Bucket> days) {
        Map<LocalDate, Bucket> weeks = new LinkedHashMap<>();
        for (Bucket day : days) {
            LocalDate monday = day.start().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            weeks.merge(monday, new Bucket(monday, day.deployments(), day.succeeded()), (week, more) ->
                    new Bucket(monday, week.deployments() + more.deployments(), week.succeeded() + more.succeeded()));
        }
        return List.copyOf(weeks.values());
    }

    private static Double seconds(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : milliseconds(v);
    }

    /** Milliseconds are the stored precision: more digits would only be noise of the arithmetic. */
    private static double milliseconds(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
