package dev.greenlight.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small JDBC helpers so each repository states its SQL and nothing else. */
public final class Jdbc {
    private static final Logger LOG = LoggerFactory.getLogger(Jdbc.class);
    /** The pauses between tries of a patient call: doubling from the first to the last. */
    private static final long FIRST_PAUSE_MS = 200;
    private static final long MAX_PAUSE_MS = 1000;

    private final DataSource dataSource;
    /** How long a call waits for an unreachable database before it fails; zero: it fails at once. */
    private final Duration patience;

    /**
     * SQL for the database's now plus a number of milliseconds (the parameter), the same on PostgreSQL and H2: expiries
     * set and judged by one clock, whatever the clocks of the instances say.
     */
    public static final String NOW_PLUS_MILLIS = "current_timestamp + cast(? as bigint) * interval '0.001' second";

    /** The work each open {@link #inTransaction} transaction runs last, by its connection. */
    private static final Map<Connection, List<Work<?>>> BEFORE_COMMIT =
            Collections.synchronizedMap(new IdentityHashMap<>());

    public Jdbc(DataSource dataSource) {
        this(dataSource, Duration.ZERO);
    }

    private Jdbc(DataSource dataSource, Duration patience) {
        this.dataSource = dataSource;
        this.patience = patience;
    }

    /**
     * The same database, for callers that had better wait than fail (a running deployment's bookkeeping): a call that
     * cannot reach the database is tried again, with a growing pause, until it succeeds or {@code patience} has passed;
     * then it fails with {@link StoreUnavailableException}. Only a lost or refused connection is tried again, never a
     * statement the database refused. A whole transaction is tried again from its start (its failed attempt was
     * rolled back).
     */
    public Jdbc patient(Duration patience) {
        return new Jdbc(dataSource, patience);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: all of it is written, or none. */
    public <T> T inTransaction(Work<T> work) {
        return patiently(() -> transaction(work));
    }

    private <T> T transaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Work<?>> last = new ArrayList<>();
            BEFORE_COMMIT.put(c, last);
            try {
                T result = work.run(c);
                for (Work<?> w : last) {
                    w.run(c);
                }
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                BEFORE_COMMIT.remove(c);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * Runs {@code work} in {@code c}'s transaction after everything else it does, right before the commit, in the
     * order given. A lock that work takes is then the transaction's last, held only until the commit, and never
     * waited for while holding it (no deadlock with a lock taken later). Only for a transaction of
     * {@link #inTransaction}: on any other connection it fails, rather than leave the work undone.
     */
    public static void beforeCommit(Connection c, Work<?> work) {
        List<Work<?>> last = BEFORE_COMMIT.get(c);
        if (last == null) {
            throw new IllegalStateException("not a transaction of Jdbc.inTransaction: the work would never run");
        }
        last.add(work);
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        return patiently(() -> {
            try (Connection c = dataSource.getConnection()) {
                return query(c, sql, mapper, params);
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        });
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = query(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    public int update(String sql, Object... params) {
        return patiently(() -> {
            try (Connection c = dataSource.getConnection()) {
                return update(c, sql, params);
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        });
    }

    /** Runs {@code call}, again while the database is unreachable and the patience lasts (see {@link #patient}). */
    private <T> T patiently(Supplier<T> call) {
        if (patience.isZero()) return call.get();
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = FIRST_PAUSE_MS;
        while (true) {
            try {
                return call.get();
            } catch (StoreException e) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!e.isConnectionFailure()) throw e;
                if (left <= 0) throw new StoreUnavailableException(patience, e);
                LOG.warn("the database is unreachable ({}); trying again, for {} ms more", e.getMessage(), left);
                sleep(Math.min(pause, left));
                pause = Math.min(pause * 2, MAX_PAUSE_MS);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(new SQLException("interrupted while waiting for the database", "08000", e));
        }
    }

    public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    /** Whether {@code c} is PostgreSQL's, for the few settings only it has (the other store is H2). */
    public static boolean isPostgres(Connection c) throws SQLException {
        return "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
    }

    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        }
    }

    /** Inserts and returns the generated {@code id}. */
    public static long insert(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, new String[] {"id"})) {
            bind(ps, params);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        bind(ps, params);
        return ps;
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Instant t) {
                ps.setTimestamp(i + 1, Timestamp.from(t));
            } else if (p == null) {
                // untyped: PostgreSQL refuses a varchar null for a bigint column, so let the column decide
                ps.setNull(i + 1, java.sql.Types.NULL);
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    public static Integer integerOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    public static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** Cuts text to a column's size, keeping the end (where errors usually are). */
    public static String fit(String text, int max) {
        if (text == null || text.length() <= max) return text;
        return "…" + text.substring(text.length() - max + 1);
    }
}
