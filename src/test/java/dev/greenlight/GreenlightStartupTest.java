package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlight.config.ConfigException;
import dev.greenlight.config.ConfigWarnings;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad greenlight.yaml stops the service before it serves anything, with one clear message. */
class GreenlightStartupTest {
    @TempDir
    Path dir;

    private Path badConfig() throws Exception {
        // a valid file with one mistake: an inline token
        return TestConfig.write(dir, TestConfig.YAML.replace("token-env: TOKEN_CI", "token: tok-ci-inline"));
    }

    @Test
    void theServiceRefusesToStartWithABadConfiguration() throws Exception {
        Path config = badConfig();
        try (TestDatabase db = TestDatabase.create()) {
            assertThatThrownBy(() -> TestGreenlight.start(config, db, TestConfig.environment()).close())
                    .satisfies(e -> {
                        ConfigException problem = Greenlight.configProblem(e);
                        assertThat(problem).as("a ConfigException in the cause chain").isNotNull();
                        assertThat(problem.getMessage()).isEqualTo(config + ": access[1].token: secrets may not be "
                                + "written in this file: use token-env or token-file");
                    });
            // the configuration is read before the database is touched: nothing was migrated
            try (var c = db.connect(); var rs = c.getMetaData().getTables(null, db.schema(), "deployments", null)) {
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void aBadServiceSettingAlsoStopsTheStartWithItsName() throws Exception {
        Path config = TestConfig.write(dir);
        try (TestDatabase db = TestDatabase.create()) {
            assertThatThrownBy(() -> TestGreenlight.start(config, db, TestConfig.environment(),
                    java.util.Map.of("greenlight.lease.ttl", "60 seconds")).close())
                    .satisfies(e -> assertThat(Greenlight.configProblem(e)).hasMessage(
                            "greenlight.lease.ttl: \"60 seconds\" is not a duration (examples: 500ms, 3s, 2m, 1h)"));
            assertThatThrownBy(() -> TestGreenlight.start(config, db, TestConfig.environment(),
                    java.util.Map.of("greenlight.db.pool-size", "ten")).close())
                    .satisfies(e -> assertThat(Greenlight.configProblem(e)).hasMessage(
                            "greenlight.db.pool-size: \"ten\" must be a whole number from 2 to 1000"));
            // the schema migration holds two connections: a pool of one would hang the start for the pool's timeout
            assertThatThrownBy(() -> TestGreenlight.start(config, db, TestConfig.environment(),
                    java.util.Map.of("greenlight.db.pool-size", "1")).close())
                    .satisfies(e -> assertThat(Greenlight.configProblem(e)).hasMessage(
                            "greenlight.db.pool-size: \"1\" must be a whole number from 2 to 1000"));
            assertThatThrownBy(() -> TestGreenlight.start(config, db, TestConfig.environment(),
                    java.util.Map.of("greenlight.config.watch-period", "often")).close())
                    .satisfies(e -> assertThat(Greenlight.configProblem(e)).hasMessage(
                            "greenlight.config.watch-period: \"often\" is not a duration (examples: 2s, 1m; 0 turns "
                                    + "the watch off)"));
        }
    }

    @Test
    void aTakenHttpPortStopsTheStartInsteadOfRunningWithoutAServer() throws Exception {
        Path config = TestConfig.write(dir);
        try (TestDatabase db = TestDatabase.create();
             java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            assertThatThrownBy(() -> TestGreenlight.start(config, db, TestConfig.environment(),
                    java.util.Map.of("camel.server.port", String.valueOf(taken.getLocalPort()))).close())
                    .satisfies(e -> assertThat(Greenlight.configProblem(e).getMessage())
                            .startsWith("camel.server.port: port " + taken.getLocalPort() + " on 0.0.0.0 is not available"));
        }
    }

    @Test
    void theStartWarnsOfAnAccessRuleWhoseTokenVariableIsNotSet() throws Exception {
        Path config = TestConfig.write(dir);
        java.util.Map<String, String> env = new java.util.HashMap<>(TestConfig.environment());
        env.remove("TOKEN_CI");
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ConfigWarnings.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (TestDatabase db = TestDatabase.create(); TestGreenlight app = TestGreenlight.start(config, db, env)) {
            assertThat(logs.list).extracting(e -> e.getLevel() + " " + e.getFormattedMessage()).contains(
                    "WARN " + config + ": access[1].token-env: TOKEN_CI is not set: access rule \"ci\" is dropped, "
                            + "and every call with its token is refused as not valid");
            assertThat(app.get("/api/v1/environments", TestConfig.CI_TOKEN).statusCode()).isEqualTo(401);
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void aDatabaseThatCannotBeUsedStopsTheStartNamingTheSetting() throws Exception {
        Path config = TestConfig.write(dir);
        int closed = TestGreenlight.freePort();
        String missingDatabase = TestDatabase.postgres().url().replaceFirst("/[^/?]+(\\?|$)", "/greenlight_no_such_db$1");
        try (TestDatabase db = TestDatabase.create()) {
            assertThat(startFailure(config, db, "postgres://greenlight:s3cret-pw@db.internal:5432/greenlight"))
                    .isEqualTo("greenlight.db.url (GREENLIGHT_DB_URL): \"postgres://greenlight:***@db.internal:5432/"
                            + "greenlight\" is not a JDBC URL: write it as jdbc:postgresql://host:5432/database, with "
                            + "the user and password in GREENLIGHT_DB_USER and GREENLIGHT_DB_PASSWORD");
            assertThat(startFailure(config, db, "mysql://db.internal/greenlight")).isEqualTo(
                    "greenlight.db.url (GREENLIGHT_DB_URL): \"mysql://db.internal/greenlight\" is not a JDBC URL: "
                            + "it must be a jdbc:postgresql:// URL (or jdbc:h2:)");
            assertThat(startFailure(config, db, "jdbc:postgresql://127.0.0.1:" + closed + "/test")).isEqualTo(
                    "greenlight.db.url (GREENLIGHT_DB_URL): cannot connect to jdbc:postgresql://127.0.0.1:" + closed
                            + "/test: Connection refused");
            assertThat(startFailure(config, db, missingDatabase)).isEqualTo("greenlight.db.url (GREENLIGHT_DB_URL): "
                    + "cannot connect to " + missingDatabase + ": FATAL: database \"greenlight_no_such_db\" does not exist");
        }
    }

    private static String startFailure(Path config, TestDatabase db, String url) {
        try {
            TestGreenlight.start(config, db, TestConfig.environment(), java.util.Map.of("greenlight.db.url", url)).close();
        } catch (RuntimeException e) {
            ConfigException problem = Greenlight.configProblem(e);
            assertThat(problem).as("a ConfigException in the cause chain of %s", e).isNotNull();
            return problem.getMessage();
        }
        throw new AssertionError("the service started with greenlight.db.url " + url);
    }

    @Test
    void theLauncherPrintsOneLineAndExitsWithStatusTwo() throws Exception {
        Path config = badConfig();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + writeQuietLogback(), Greenlight.class.getName()));
        pb.environment().put("GREENLIGHT_CONFIG", config.toString());
        pb.environment().remove("GREENLIGHT_DB_URL");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(stderr.strip()).isEqualTo("greenlight: configuration error: " + config
                + ": access[1].token: secrets may not be written in this file: use token-env or token-file");
    }

    private Path writeQuietLogback() throws Exception {
        Path f = dir.resolve("logback-quiet.xml");
        Files.writeString(f, "<configuration><root level=\"OFF\"/></configuration>");
        return f;
    }
}
