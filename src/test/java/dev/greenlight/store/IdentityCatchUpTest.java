package dev.greenlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An H2 file that reopens with an identity behind its table's ids (what a kill can leave, see
 * {@link IdentityCatchUp}) hands out fresh ids once Greenlight has opened it. The state is made by hand: rows whose
 * ids the sequence never handed out, as if their sequence's last write had been lost.
 */
class IdentityCatchUpTest {
    @TempDir
    Path dir;

    @Test
    void anIdentityBehindItsTableIsMovedPastItsLargestIdWhenTheStoreOpens() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("greenlight") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (HikariDataSource ds = Database.open(url, "sa", null, null, 2)) {
            assertThat(IdentityCatchUp.run(ds)).as("a fresh store has nothing to catch up").isEmpty();
        }
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("insert into notifications (id, channel, event, severity, document, status, next_attempt_at, "
                    + "created_at) values (41, 'ops', 'failed', 'error', '{}', 'sent', current_timestamp, "
                    + "current_timestamp)");
        }
        try (HikariDataSource ds = Database.open(url, "sa", null, null, 2)) {
            Jdbc jdbc = new Jdbc(ds);
            assertThat(nextId(jdbc, "notifications")).as("moved past the row the sequence did not know of")
                    .isEqualTo(42L);
            assertThat(nextId(jdbc, "deployments")).as("a table whose identity is not behind is left alone")
                    .isEqualTo(1L);
            long id = jdbc.inTransaction(c -> Jdbc.insert(c, "insert into notifications (channel, event, severity, "
                    + "document, status, next_attempt_at, created_at) values ('ops', 'failed', 'error', '{}', 'sent', "
                    + "current_timestamp, current_timestamp)"));
            assertThat(id).isEqualTo(42L);
            assertThat(IdentityCatchUp.run(ds)).as("caught up already, nothing left to move").isEmpty();
        }
    }

    private static long nextId(Jdbc jdbc, String table) {
        return jdbc.queryOne("select identity_base from information_schema.columns where table_name = ? "
                + "and column_name = 'id'", rs -> rs.getLong(1), table).orElseThrow();
    }
}
