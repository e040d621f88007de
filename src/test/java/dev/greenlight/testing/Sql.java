package dev.greenlight.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the database holds, read directly: tests check the store of record, not only the API's view of it. */
public final class Sql {
    private Sql() {
    }

    public static long count(TestDatabase db, String sql, Object... params) {
        return ((Number) rows(db, sql, params).get(0).values().iterator().next()).longValue();
    }

    public static List<Map<String, Object>> rows(TestDatabase db, String sql, Object... params) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i).toLowerCase(), rs.getObject(i));
                    }
                    out.add(row);
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every row of a table, in id order: to prove a refusal left it exactly as it was. */
    public static List<Map<String, Object>> table(TestDatabase db, String table) {
        return rows(db, "select * from " + table + " order by 1");
    }

    /** Changes the store directly: how a test moves a lease's expiry instead of waiting for it. */
    public static int update(TestDatabase db, String sql, Object... params) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
