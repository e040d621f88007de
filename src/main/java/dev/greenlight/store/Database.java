package dev.greenlight.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the store of record (PostgreSQL, or embedded H2 when none is configured) and migrates its schema. */
public final class Database {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
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
        HikariDataSource ds = new HikariDataSource(config);
        try {
            migrate(ds, jdbcUrl, schema);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        LOG.info("Database ready: {}", redactUrl(jdbcUrl));
        return ds;
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

    /** JDBC URLs may carry a password parameter: never log one. */
    public static String redactUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
