package dev.greenlight.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh, isolated database for one test: a new schema in the local PostgreSQL (the default, as in CI), or a new
 * in-memory H2 database with {@code GREENLIGHT_TEST_DB=h2}. PostgreSQL is found at {@code GREENLIGHT_TEST_DB_URL}
 * (default jdbc:postgresql://127.0.0.1:5432/test, user postgres).
 */
public record TestDatabase(String kind, String url, String user, String schema) implements AutoCloseable {
    public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    public static TestDatabase create() {
        return "h2".equalsIgnoreCase(System.getenv("GREENLIGHT_TEST_DB")) ? h2() : postgres();
    }

    public static TestDatabase postgres() {
        String url = System.getenv().getOrDefault("GREENLIGHT_TEST_DB_URL", DEFAULT_PG_URL);
        String user = System.getenv().getOrDefault("GREENLIGHT_TEST_DB_USER", "postgres");
        return new TestDatabase("postgresql", url, user, "gl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    public static TestDatabase h2() {
        String name = "gl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return new TestDatabase("h2", "jdbc:h2:mem:" + name
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", null);
    }

    public Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url, user, "");
        if (schema != null) c.setSchema(schema);
        return c;
    }

    /** Drops what the test created. */
    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute(schema != null ? "drop schema if exists " + schema + " cascade" : "drop all objects");
        }
    }
}
