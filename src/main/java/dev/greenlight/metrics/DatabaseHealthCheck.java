package dev.greenlight.metrics;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Whether the store of record answers, at {@code /observe/health} as {@code greenlight-database}: up when a
 * connection from the pool passes a validity check within {@value #TIMEOUT_SECONDS}s. A readiness check only:
 * without its database Greenlight records nothing and should get no traffic, but a restart would not bring the
 * database back. Taking the connection waits at most the pool's connection timeout.
 */
public final class DatabaseHealthCheck extends AbstractHealthCheck {
    static final int TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;

    public DatabaseHealthCheck(DataSource dataSource) {
        super("greenlight", "greenlight-database");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(TIMEOUT_SECONDS)) {
                builder.up();
            } else {
                builder.message("the database did not answer within " + TIMEOUT_SECONDS + "s").down();
            }
        } catch (SQLException e) {
            // the message only: a driver's exception can carry the URL, and the answer is unauthenticated
            builder.message("the database is unreachable (" + e.getClass().getSimpleName() + ")").down();
        }
    }
}
