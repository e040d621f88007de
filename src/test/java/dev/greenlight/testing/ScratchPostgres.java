package dev.greenlight.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of its own on the local PostgreSQL, created for one test and dropped after it (with whatever service
 * processes still hold connections to it). Unlike {@link TestDatabase}'s schema, the services under test find it by
 * URL alone, as an operator's {@code GREENLIGHT_DB_URL} names a database.
 */
public record ScratchPostgres(String url, String user, String name) implements AutoCloseable {
    public static ScratchPostgres create() throws SQLException {
        String admin = System.getenv().getOrDefault("GREENLIGHT_TEST_DB_URL", TestDatabase.DEFAULT_PG_URL);
        String user = System.getenv().getOrDefault("GREENLIGHT_TEST_DB_USER", "postgres");
        String name = "gl_scratch_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin, user, ""); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        return new ScratchPostgres(admin.substring(0, admin.lastIndexOf('/') + 1) + name, user, name);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    @Override
    public void close() throws SQLException {
        String admin = System.getenv().getOrDefault("GREENLIGHT_TEST_DB_URL", TestDatabase.DEFAULT_PG_URL);
        try (Connection c = DriverManager.getConnection(admin, user, ""); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        }
    }
}
