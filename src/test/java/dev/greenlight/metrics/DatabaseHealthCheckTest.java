package dev.greenlight.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.store.Database;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

/** The database check against a real PostgreSQL, and against one that is not there. */
class DatabaseHealthCheckTest {
    @Test
    void upWhileTheDatabaseAnswers() throws Exception {
        try (TestDatabase db = TestDatabase.postgres();
             HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 2)) {
            HealthCheck.Result result = new DatabaseHealthCheck(ds).call();
            assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
        }
    }

    @Test
    void downWhenNoDatabaseListensWithAMessageThatNamesNoAddress() {
        int closed = TestGreenlight.freePort();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closed + "/test");
        config.setUsername("postgres");
        config.setInitializationFailTimeout(-1); // the pool starts without its database, as after an outage
        config.setConnectionTimeout(500);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            DatabaseHealthCheck check = new DatabaseHealthCheck(ds);
            HealthCheck.Result result = check.call();
            assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(result.getMessage()).hasValueSatisfying(m -> assertThat(m)
                    .startsWith("the database is unreachable").doesNotContain(String.valueOf(closed)));
            assertThat(check.isReadiness()).isTrue();
            assertThat(check.isLiveness()).as("a restart would not bring the database back").isFalse();
        }
    }

    @Test
    void downOnceThePoolIsClosed() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            HikariDataSource ds = Database.open(db.url(), db.user(), null, db.schema(), 2);
            DatabaseHealthCheck check = new DatabaseHealthCheck(ds);
            assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
            ds.close();
            assertThat(check.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        }
    }
}
