package dev.greenlight.api;

import static dev.greenlight.testing.TestConfig.CI_TOKEN;
import static dev.greenlight.testing.TestConfig.DEPLOYER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.deploy.DeploymentDurations;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GET /api/v1/metrics on the real service: read scope, parameters, and the answer's shape. The figures themselves are
 * worked out in DeliveryMetricsTest; here a small history shows what each token may count.
 */
class MetricsApiTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestDatabase db;
    static TestGreenlight app;

    /**
     * shop/staging: succeeded a day ago in 60 s (pushed, committed 240 s before it succeeded); shop/production: failed
     * two days ago; blog/staging: succeeded three days ago in 120 s; shop/staging: succeeded 40 days ago.
     */
    @BeforeAll
    static void start() {
        db = TestDatabase.create();
        app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                Map.of("greenlight.dispatch.period", "3600000"));
        app.stopBackgroundRoutes();
        Instant now = Instant.now();
        insert("shop", "staging", "succeeded", now.minus(Duration.ofDays(1)), 60, 180);
        insert("shop", "production", "failed", now.minus(Duration.ofDays(2)), 30, -1);
        insert("blog", "staging", "succeeded", now.minus(Duration.ofDays(3)), 120, -1);
        insert("shop", "staging", "succeeded", now.minus(Duration.ofDays(40)), 60, -1);
        // the durations each deployment's end stores, from the times above
        try (Connection c = db.connect()) {
            for (long id : Jdbc.query(c, "select id from deployments", rs -> rs.getLong(1))) {
                DeploymentDurations.write(c, id);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void insert(String app, String environment, String status, Instant created, int seconds, int committedBefore) {
        Sql.update(db, "insert into deployments (app, environment, version, strategy, trigger_kind, triggered_by, status, "
                        + "created_at, started_at, finished_at, commit_time) values (?, ?, 'v1', 'rolling', 'push', 't', ?, ?, ?, ?, ?)",
                app, environment, status, Timestamp.from(created), Timestamp.from(created),
                Timestamp.from(created.plusSeconds(seconds)),
                committedBefore < 0 ? null : Timestamp.from(created.minusSeconds(committedBefore)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) app.close();
        if (db != null) db.close();
    }

    @Test
    void aTokenOfEveryEnvironmentCountsEverythingInTheWindow() throws Exception {
        JsonNode m = metrics("", DEPLOYER_TOKEN, 200);
        assertThat(m.at("/window/days").asInt()).isEqualTo(30);
        assertThat(Duration.between(Instant.parse(m.at("/window/from").asText()),
                Instant.parse(m.at("/window/to").asText()))).isEqualTo(Duration.ofDays(30));
        assertThat(m.at("/filters/app").isNull()).isTrue();
        assertThat(m.at("/deployments/total").asInt()).isEqualTo(3);
        assertThat(m.at("/deployments/failed").asInt()).isEqualTo(1);
        assertThat(m.at("/successRate").asDouble()).isEqualTo(2.0 / 3);
        assertThat(m.at("/changeFailureRate/rate").asDouble()).isEqualTo(1.0 / 3);
        assertThat(m.at("/deploymentFrequency/perDay").asDouble()).isEqualTo(2.0 / 30);
        assertThat(m.at("/deploymentFrequency/perWeek").asDouble()).isEqualTo(14.0 / 30);
        assertThat(m.at("/timeToDeploy/meanSeconds").asDouble()).isEqualTo(90.0);
        assertThat(m.at("/leadTime/meanSeconds").asDouble()).isEqualTo(240.0);
        assertThat(m.at("/leadTime/reason").isNull()).isTrue();
        assertThat(m.at("/timeToRecovery/count").asInt()).isZero();
        assertThat(m.at("/timeToRecovery/meanSeconds").isNull()).isTrue();

        assertThat(metrics("?days=366", DEPLOYER_TOKEN, 200).at("/deployments/total").asInt()).isEqualTo(4);
        assertThat(metrics("?days=1", DEPLOYER_TOKEN, 200).at("/deployments/total").asInt()).isZero();
    }

    @Test
    void aStagingTokenCountsOnlyStaging() throws Exception {
        JsonNode m = metrics("", CI_TOKEN, 200);
        assertThat(m.at("/deployments/total").asInt()).isEqualTo(2);
        assertThat(m.at("/deployments/failed").asInt()).isZero();
        // production is configured, so the filter is valid: the token just sees nothing there
        assertThat(metrics("?app=shop&environment=production", CI_TOKEN, 200).at("/deployments/total").asInt()).isZero();
    }

    @Test
    void filtersNarrowTheCountAndAreEchoed() throws Exception {
        JsonNode blog = metrics("?app=blog", DEPLOYER_TOKEN, 200);
        assertThat(blog.at("/filters/app").asText()).isEqualTo("blog");
        assertThat(blog.at("/deployments/total").asInt()).isEqualTo(1);
        assertThat(blog.at("/leadTime/count").asInt()).isZero();
        assertThat(blog.at("/leadTime/reason").asText()).contains("commit time");
        JsonNode production = metrics("?environment=production", DEPLOYER_TOKEN, 200);
        assertThat(production.at("/filters/environment").asText()).isEqualTo("production");
        assertThat(production.at("/deployments/total").asInt()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "?days=0|400|days must be a whole number from 1 to 366",
            "?days=367|400|days must be a whole number from 1 to 366",
            "?days=ten|400|days must be a whole number from 1 to 366",
            "?days=1.5|400|days must be a whole number from 1 to 366",
            "?app=nope|404|unknown app nope",
            "?app=shop&environment=nope|404|app shop has no environment nope",
            "?environment=nope|404|no app has an environment nope"})
    void badParametersAreRefusedWithAPreciseMessage(String query, int status, String message) throws Exception {
        assertThat(metrics(query, DEPLOYER_TOKEN, status).get("error").asText()).isEqualTo(message);
    }

    @Test
    void noTokenNoMetrics() throws Exception {
        assertThat(metrics("", null, 401).get("error").asText()).contains("Bearer");
        assertThat(metrics("", "not-a-token", 401).get("error").asText()).contains("not valid");
    }

    static JsonNode metrics(String query, String token, int status) throws Exception {
        HttpResponse<String> r = app.get("/api/v1/metrics" + query, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return MAPPER.readTree(r.body());
    }
}
