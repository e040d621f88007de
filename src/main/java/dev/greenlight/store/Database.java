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
    /**
     * The embedded default. {@code WRITE_DELAY=0}: H2 writes every commit to its file before the commit returns
     * (its default, 500 ms, batches commits in memory and loses the last of them when the process is killed). H2
     * does not fsync a commit: a killed process loses nothing, a power loss or kernel crash may lose what the
     * operating system had not yet written.
     */
    public static final String EMBEDDED_URL =
            "jdbc:h2:file:./data/greenlight;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";

    /** {@code greenlight.db.connection-timeout}'s default. */
    public static final java.time.Duration DEFAULT_CONNECTION_TIMEOUT = java.time.Duration.ofSeconds(5);

    private Database() {
    }

    /** @param schema optional schema to create and use (tests isolate themselves with one) */
    public static HikariDataSource open(String url, String user, String password, String schema, int poolSize) {
        return open(url, user, password, schema, poolSize, DEFAULT_CONNECTION_TIMEOUT);
    }

    /**
     * @param connectionTimeout how long a caller waits for a connection before its call fails (the pool's wait, and
     *                          each new connection's login): while the database is away, a request is answered 503
     *                          after this, well within the 10 s GitHub waits for a webhook's answer
     */
    public static HikariDataSource open(String url, String user, String password, String schema, int poolSize,
                                        java.time.Duration connectionTimeout) {
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
        config.setConnectionTimeout(Math.max(250, connectionTimeout.toMillis()));
        if (schema != null && !schema.isBlank()) {
            config.setSchema(schema);
        }
        if (!embedded) requireJdbcUrl(url);
        HikariDataSource ds = connect(config, embedded);
        try {
            migrate(ds, jdbcUrl, schema);
            if (isFileH2(jdbcUrl)) IdentityCatchUp.run(ds); // only a file outlives a killed process
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
        // requireJdbcUrl has let only jdbc:postgresql: and jdbc:h2: URLs through
        String vendor = url.startsWith("jdbc:postgresql:") ? "postgresql" : "h2";
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
        return isFileH2(url) && !url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=") ? url + ";WRITE_DELAY=0" : url;
    }

    /** An H2 database in a file of this process (not in memory, not a server's). */
    private static boolean isFileH2(String url) {
        return url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:") && !url.startsWith("jdbc:h2:tcp:")
                && !url.startsWith("jdbc:h2:ssl:");
    }

    /** URLs may carry a password, as a parameter or before the host: never log one. */
    public static String redactUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@");
    }
}
