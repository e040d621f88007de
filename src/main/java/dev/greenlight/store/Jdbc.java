package dev.greenlight.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Small JDBC helpers so each repository states its SQL and nothing else. */
public final class Jdbc {
    private final DataSource dataSource;

    /**
     * SQL for the database's now plus a number of milliseconds (the parameter), the same on PostgreSQL and H2: expiries
     * set and judged by one clock, whatever the clocks of the instances say.
     */
    public static final String NOW_PLUS_MILLIS = "current_timestamp + cast(? as bigint) * interval '0.001' second";

    /** The work each open {@link #inTransaction} transaction runs last, by its connection. */
    private static final Map<Connection, List<Work<?>>> BEFORE_COMMIT =
            Collections.synchronizedMap(new IdentityHashMap<>());

    public Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
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
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql, mapper, params);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = query(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    public int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return update(c, sql, params);
        } catch (SQLException e) {
            throw new StoreException(e);
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
