package dev.greenlight.delivery;

import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the days whose deployments have all ended into {@code deployment_days} (migration V19), which the delivery
 * figures add up instead of reading those deployments again. A day is closed once it ended an hour ago (a deployment
 * is stored with the time it was triggered, so by then its day holds all it ever will) and no deployment of it or of
 * an earlier day is still unfinished; an ended deployment no longer changes in anything the figures count.
 *
 * <p>What has been folded is the deployments with an id up to {@code max_id} created before {@code closed_before}.
 * Each fold adds the newly closed days' deployments and any stored since the last fold into days already closed
 * (only a row written by hand can be), one row per app, environment and day it met. The state row is moved with a
 * guarded update, so of two instances folding at once one does it and the other finds nothing left.
 */
public final class ClosedDays {
    private static final Logger LOG = LoggerFactory.getLogger(ClosedDays.class);
    /** How long after its end a day is taken to hold every deployment triggered in it. */
    static final Duration SETTLED = Duration.ofHours(1);
    private static final String UNFINISHED = Arrays.stream(DeploymentStatus.values()).filter(s -> !s.terminal())
            .map(s -> "'" + s.key() + "'").collect(Collectors.joining(", ", "status in (", ")"));

    private final Jdbc jdbc;
    private final Clock clock;

    public ClosedDays(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** What has been folded: deployments with an id up to {@code maxId} triggered before day {@code closedBefore}. */
    record Folded(long closedBefore, long maxId) {
        static Folded read(Connection c) throws SQLException {
            return Jdbc.query(c, "select closed_before, max_id from deployment_days_folded where id = 1",
                    rs -> new Folded(rs.getLong(1), rs.getLong(2))).get(0);
        }
    }

    /** Folds what has closed since the last fold; how many day rows it wrote. A database failure waits for the next. */
    public int fold() {
        try {
            return jdbc.inTransaction(c -> {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                Folded before = Folded.read(c);
                Folded after = next(c, before);
                if (after.equals(before)) return 0;
                int moved = Jdbc.update(c, "update deployment_days_folded set closed_before = ?, max_id = ? "
                        + "where id = 1 and closed_before = ? and max_id = ?",
                        after.closedBefore(), after.maxId(), before.closedBefore(), before.maxId());
                if (moved == 0) return 0; // another instance folded meanwhile
                int rows = insertDays(c, before, after);
                if (rows > 0) {
                    LOG.info("closed days folded: {} day rows added; folded now, the deployments up to id {} "
                            + "triggered before {}", rows, after.maxId(), LocalDate.ofEpochDay(after.closedBefore()));
                }
                return rows;
            });
        } catch (StoreException e) {
            if (serializationFailure(e)) {
                // repeatable read refuses the guarded update when another fold moved the state row since this
                // transaction began (PostgreSQL's 40001, H2's 90131): that fold did the work
                LOG.debug("another instance folded the closed days meanwhile");
            } else {
                LOG.warn("the closed days were not folded this time: {}", e.getMessage());
            }
            return 0;
        }
    }

    private static boolean serializationFailure(StoreException e) {
        return e.getCause() instanceof SQLException cause
                && ("40001".equals(cause.getSQLState()) || "90131".equals(cause.getSQLState()));
    }

    /**
     * The next state: closed up to the settled day or the first unfinished deployment's day, whichever comes first,
     * never back; folded up to the newest deployment, but short of an unfinished one stored late into a closed day.
     */
    private Folded next(Connection c, Folded before) throws SQLException {
        long settled = UtcDays.of(Instant.now(clock).minus(SETTLED));
        Instant firstUnfinished = Jdbc.query(c, "select min(created_at) first_unfinished from deployments where "
                + UNFINISHED, rs -> Jdbc.instant(rs, "first_unfinished")).get(0);
        long closedBefore = Math.max(before.closedBefore(),
                firstUnfinished == null ? settled : Math.min(settled, UtcDays.of(firstUnfinished)));
        long maxId = Jdbc.query(c, "select coalesce(max(id), 0) from deployments", rs -> rs.getLong(1)).get(0);
        Long lateUnfinished = Jdbc.query(c, "select min(id) late_unfinished from deployments where " + UNFINISHED
                + " and id > ? and created_at < ?", rs -> Jdbc.longOrNull(rs, "late_unfinished"), before.maxId(),
                UtcDays.start(closedBefore)).get(0);
        if (lateUnfinished != null) maxId = lateUnfinished - 1;
        return new Folded(closedBefore, Math.max(maxId, before.maxId()));
    }

    /**
     * Adds the day rows of the deployments folded now that were not: those of the newly closed days, and those stored
     * late into the days closed before; how many day rows.
     */
    private static int insertDays(Connection c, Folded before, Folded after) throws SQLException {
        boolean postgres = Jdbc.isPostgres(c);
        String sql = "insert into deployment_days (app, environment, utc_day, " + Tally.DAY_COLUMNS + ") "
                + "select app, environment, utc_day, " + Tally.OF_ROWS + " from (select app, environment, "
                + UtcDays.ofCreatedAt(postgres) + " utc_day, " + Tally.ROW + " from deployments where id <= ? "
                + "and ((created_at >= ? and created_at < ?) or (created_at < ? and id > ?))) d "
                + "group by app, environment, utc_day";
        return Jdbc.update(c, sql, after.maxId(), UtcDays.start(before.closedBefore()),
                UtcDays.start(after.closedBefore()), UtcDays.start(before.closedBefore()), before.maxId());
    }
}
