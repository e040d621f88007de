package dev.greenlight.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.greenlight.config.ConfigException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the store of record (PostgreSQL, or embedded H2 when none is configured) and migrates its schema. */
public final class Database {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** The setting an operator fixes when the database cannot be used, named in every start-up error. */
    private static final String SETTING = "greenlight.db.url (GREENLIGHT_DB_URL)";
    public static final String EMBEDDED_URL =
            "jdbc:h2:file:./data/greenlight;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    private Database() {
    }

    /** @param schema optional schema to create and use (tests isolate themselves with one) */
    public static HikariDataSource open(String url, String user, String password, String schema, int poolSize) {
        boolean embedded = url == null || url.isBlank();
        String jdbcUrl = embedded ? EMBEDDED_URL : url;
        if (embedded) {
            LOG.info("GREENLIGHT_DB_URL is not set: using the embedded H2 database under ./data/ "
                    + "(set GREENLIGHT_DB_URL to a PostgreSQL database for production)");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(embedded ? "sa" : user);
        config.setPassword(embedded ? "" : password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("greenlight");
        if (schema != null && !schema.isBlank()) {
            config.setSchema(schema);
        }
        if (!embedded) requireJdbcUrl(url);
        HikariDataSource ds = connect(config, embedded);
        try {
            migrate(ds, jdbcUrl, schema);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        LOG.info("Database ready: {}", redactUrl(jdbcUrl));
        return ds;
    }

    /**
     * A URL in another form ({@code postgres://user:pass@host/db}, as many hosting services print it) would reach
     * the pool as "no suitable driver": say what to write instead.
     */
    private static void requireJdbcUrl(String url) {
        if (url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:h2:")) return;
        String hint = url.matches("(?i)postgres(ql)?://.*")
                ? ": write it as jdbc:postgresql://host:5432/database, with the user and password in GREENLIGHT_DB_USER"
                        + " and GREENLIGHT_DB_PASSWORD"
                : ": it must be a jdbc:postgresql:// URL (or jdbc:h2:)";
        throw new ConfigException(SETTING + ": \"" + redactUrl(url) + "\" is not a JDBC URL" + hint);
    }

    /** The pool opens its first connection here: an unreachable or missing database stops the start in one line. */
    private static HikariDataSource connect(HikariConfig config, boolean embedded) {
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            String where = embedded ? SETTING + " is not set, and the embedded H2 database under ./data/ cannot be opened"
                    : SETTING + ": cannot connect to " + redactUrl(config.getJdbcUrl());
            throw new ConfigException(where + ": " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }

    private static void migrate(DataSource ds, String url, String schema) {
        String vendor = url.startsWith("jdbc:postgresql:") ? "postgresql" : url.startsWith("jdbc:h2:") ? "h2" : null;
        if (vendor == null) {
            throw new IllegalArgumentException("GREENLIGHT_DB_URL must be a jdbc:postgresql: or jdbc:h2: URL");
        }
        var flyway = Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration/common", "classpath:db/migration/" + vendor);
        if (schema != null && !schema.isBlank()) {
            flyway.schemas(schema).createSchemas(true);
        }
        flyway.load().migrate();
    }

    /** URLs may carry a password, as a parameter or before the host: never log one. */
    public static String redactUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@");
    }
}
