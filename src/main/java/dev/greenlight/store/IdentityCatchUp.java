package dev.greenlight.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every identity column of an H2 database past the ids its table already holds, when it opens.
 *
 * <p>Why: H2 hands out identity values from a cached range and writes the range's new end to the file in a
 * transaction of its own, after the value that crossed into it was handed out. Another connection can take the next
 * value of the range, commit its row, and have that commit written first. A process killed between the two reopens
 * with the sequence where the file last recorded it, behind rows that exist, and hands their ids out again: the next
 * deployment, audit entry or delivery fails on a duplicate key. Measured with plain H2 (no Greenlight code) by
 * {@code bench/h2-kill/run.sh}: every version tried, 2.4.240 included, reopened an identity behind its table after 1
 * to 4 of 12 kills. PostgreSQL logs its sequences ahead of use and needs none of this.
 */
final class IdentityCatchUp {
    private static final Logger LOG = LoggerFactory.getLogger(IdentityCatchUp.class);

    private IdentityCatchUp() {
    }

    /** An identity column and the value its sequence hands out next. */
    record Identity(String schema, String table, String column, long next) {
        String qualifiedTable() {
            return quote(schema) + "." + quote(table);
        }
    }

    /** @return the identities that were behind their tables, now restarted one past their largest id */
    static List<Identity> run(DataSource dataSource) {
        List<Identity> caughtUp = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (Identity identity : identities(c)) {
                long largest = largestId(c, identity);
                if (largest < identity.next()) continue;
                try (Statement s = c.createStatement()) {
                    s.execute("alter table " + identity.qualifiedTable() + " alter column " + quote(identity.column())
                            + " restart with " + (largest + 1));
                }
                LOG.warn("{}.{}: its identity would have handed out {} again, an id already in use (the process was "
                                + "stopped without closing the database); it now starts at {}", identity.table(),
                        identity.column(), identity.next(), largest + 1);
                caughtUp.add(identity);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot check the identity columns of the embedded database", e);
        }
        return caughtUp;
    }

    private static List<Identity> identities(Connection c) throws SQLException {
        List<Identity> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select table_schema, table_name, column_name, identity_base "
                + "from information_schema.columns where is_identity = 'YES' and table_schema = current_schema");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(new Identity(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
        return out;
    }

    private static long largestId(Connection c, Identity identity) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(max(" + quote(identity.column()) + "), 0) from "
                     + identity.qualifiedTable())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Names come from the information schema; quoted, any name is taken as it is. */
    private static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
