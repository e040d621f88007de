package dev.greenlight.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.config.Secrets;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import dev.greenlight.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TRUNCATE, which fires no row trigger, cannot empty the audit trail either, on PostgreSQL and on H2. */
class AuditTruncateTest {
    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void truncatingTheAuditTrailIsRefusedAndEveryEntryStays(String kind) throws Exception {
        try (TestDatabase db = kind.equals("h2") ? TestDatabase.h2() : TestDatabase.postgres();
             HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 2)) {
            AuditLog audit = new AuditLog(new Jdbc(ds), Clock.systemUTC(), new Secrets(name -> null));
            audit.record(AuditEvent.of("deployer", "deployment.queued", "accepted").target("shop", "qa", "v1"));
            audit.record(AuditEvent.of("anonymous", "api.refused", "unauthorized"));

            // both refuse to truncate a table the guard table references
            assertThatThrownBy(() -> execute(db, "truncate table audit_log"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining(kind.equals("h2") ? "Cannot truncate" : "foreign key");
            if (kind.equals("postgresql")) {
                // and past that reference, PostgreSQL's statement trigger refuses it
                assertThatThrownBy(() -> execute(db, "truncate table audit_log cascade"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
                assertThatThrownBy(() -> execute(db, "truncate table audit_log, audit_log_truncate_guard"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            }

            assertThat(audit.list(Scope.EVERYTHING, null, null, null, Page.newest(10))).extracting(AuditEvent::actor)
                    .containsExactly("anonymous", "deployer");
        }
    }

    /** On a connection of its own (outside the pool, which drops a connection after some of these errors). */
    private static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
