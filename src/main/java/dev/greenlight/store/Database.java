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
    /**
     * The embedded default. {@code WRITE_DELAY=0}: H2 writes every commit to its file before the commit returns
     * (its default, 500 ms, batches commits in memory and loses the last of them when the process is killed). H2
     * does not fsync a commit: a killed process loses nothing, a power loss or kernel crash may lose what the
     * operating system had not yet written.
     */
    public static final String EMBEDDED_URL =
            "jdbc:h2:file:./data/greenlight;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";

    private Database() {
    }

    /** @param schema optional schema to create and use (tests isolate themselves with one) */
    public static HikariDataSource open(String url, String user, String password, String schema, int poolSize) {
        boolean embedded = url == null || url.isBlank();
        String jdbcUrl = embedded ? EMBEDDED_URL : durableAtCommit(url);
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

    /**
     * An H2 database in a file, configured by hand, is made as durable at commit as the embedded default unless
     * its URL sets {@code WRITE_DELAY} itself: an answered request must not vanish with the process.
     */
    static String durableAtCommit(String url) {
        boolean fileH2 = url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:")
                && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:");
        return fileH2 && !url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=") ? url + ";WRITE_DELAY=0" : url;
    }

    /** JDBC URLs may carry a password parameter: never log one. */
    public static String redactUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
