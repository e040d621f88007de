package dev.greenlight.incident;

import dev.greenlight.config.Strategy;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads a deployment's blue-green columns (migration V8: {@code color}, {@code previous_color}, {@code backup_name},
 * {@code backup_at}, {@code switched_at}, {@code set_aside_name}, {@code set_aside_at}; {@code live_color} of
 * {@code environment_state}). The blue-green pipeline and this report are built side by side: until V8 is part of a
 * build the columns do not exist, so this is the one reader that looks for them before reading them. Once V8 ships,
 * the look-up can go and the columns can be read like any other.
 */
final class BlueGreenColumns {
    private final Jdbc jdbc;

    BlueGreenColumns(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Empty when this database has no blue-green columns, or when the deployment is not a blue-green one. */
    Optional<BlueGreenFacts> read(long deploymentId) {
        return jdbc.inTransaction(c -> {
            if (!hasColumn(c, "deployments", "set_aside_at")) return Optional.<BlueGreenFacts>empty();
            boolean liveColor = hasColumn(c, "environment_state", "live_color");
            return Jdbc.query(c, "select d.color, d.previous_color, d.backup_name, d.backup_at, d.switched_at, "
                            + "d.set_aside_name, d.set_aside_at, " + (liveColor ? "s.live_color" : "null as live_color")
                            + " from deployments d left join environment_state s on s.app = d.app "
                            + "and s.environment = d.environment where d.id = ? and d.strategy = ?",
                    BlueGreenColumns::map, deploymentId, Strategy.BLUE_GREEN.key()).stream().findFirst();
        });
    }

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), c.getSchema(), table, column)) {
            return rs.next();
        }
    }

    private static BlueGreenFacts map(ResultSet rs) throws SQLException {
        return new BlueGreenFacts(rs.getString("color"), rs.getString("previous_color"), rs.getString("backup_name"),
                Jdbc.instant(rs, "backup_at"), Jdbc.instant(rs, "switched_at"), rs.getString("set_aside_name"),
                Jdbc.instant(rs, "set_aside_at"), rs.getString("live_color"));
    }
}
