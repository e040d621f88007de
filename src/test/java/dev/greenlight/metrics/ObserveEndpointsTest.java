package dev.greenlight.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.testing.PrometheusScrape;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The management server after real deployments: Prometheus meters at /observe/metrics, health at /observe/health. */
class ObserveEndpointsTest {
    @TempDir
    Path dir;

    /**
     * Two hosts, one per batch. 1.0.0 succeeds: one healthy attempt per host. 2.0.0 is unhealthy on host 2: host 1
     * healthy once, host 2 unhealthy twice (the configured attempts), then both hosts rolled back, each healthy
     * once. Seven attempts, two failures.
     */
    @Test
    void theScrapeHasGreenlightsMetersWithTheirTagsAfterADeploymentAndARollback() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.unhealthyWhileRunning(2, "2.0.0");
            assertThat(f.awaitEnd(f.deploy("2.0.0")).get("status").asText()).isEqualTo("rolled_back");

            PrometheusScrape scrape = PrometheusScrape.of(f.app.managementPort());
            assertThat(scrape.status()).isEqualTo(200);
            String metrics = scrape.body();
            String staging = "app=\"shop\",environment=\"staging\"";
            assertThat(scrape.value("greenlight_deployments_total{" + staging + ",status=\"succeeded\"}")).isEqualTo(1);
            assertThat(scrape.value("greenlight_deployments_total{" + staging + ",status=\"rolled_back\"}")).isEqualTo(1);
            assertThat(scrape.value("greenlight_deployment_duration_seconds_count{" + staging
                    + ",status=\"succeeded\"}")).isEqualTo(1);
            assertThat(scrape.value("greenlight_deployment_duration_seconds_sum{" + staging
                    + ",status=\"succeeded\"}")).isPositive();
            assertThat(scrape.value("greenlight_rollback_duration_seconds_count{" + staging
                    + ",status=\"rolled_back\"}")).isEqualTo(1);
            assertThat(scrape.value("greenlight_health_attempts_total{" + staging + "}")).isEqualTo(7);
            assertThat(scrape.value("greenlight_health_failures_total{" + staging + "}")).isEqualTo(2);
            // Camel's own route meters are in the same scrape
            assertThat(metrics).containsPattern("camel_exchanges_total\\{[^}]*routeId=\"run-deployment\"");

            // the rollback's timer agrees with what the API computes from the same records
            String api = f.app.get("/api/v1/metrics?app=shop&environment=staging", RollingFixture.TOKEN).body();
            double recovery = RollingFixture.json(api).get("timeToRecovery").get("meanSeconds").asDouble();
            assertThat(scrape.value("greenlight_rollback_duration_seconds_sum{" + staging
                    + ",status=\"rolled_back\"}")).isCloseTo(recovery, org.assertj.core.data.Offset.offset(0.002));
        }
    }

    @Test
    void healthSaysTheDatabaseIsUp() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "", Map.of())) {
            HttpResponse<String> health = get(f.app.managementPort(), "/observe/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("greenlight-database").contains("\"UP\"");
            System.out.println(health.body());
        }
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
