package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.greenlight.http.Json;
import dev.greenlight.testing.GithubApiStandIn;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.LogCapture;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitHub deployments against a local stand-in for GitHub's REST API that checks and records every request. */
class GithubDeploymentsTest {
    private static final String SECRET = "webhook-secret-for-deployments-test";
    private static final String GITHUB_TOKEN = "ghp_deploymentsTestToken0123456789";
    private static final long GITHUB_ID = 777001;
    private static final String DEPLOYMENTS = "/repos/acme/shop/deployments";
    private static final String STATUSES = DEPLOYMENTS + "/" + GITHUB_ID + "/statuses";
    private static final String PUBLIC_URL = "https://greenlight.example.com";

    record Received(String method, String path, String authorization, String accept, JsonNode body) {
    }

    @TempDir
    Path dir;
    TestHttpServer github;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger creations = new AtomicInteger();

    @BeforeEach
    void startGithub() {
        github = new TestHttpServer();
        // the first creation meets a GitHub that is down: the deployment must still be created, once
        github.on(DEPLOYMENTS, exchange -> {
            Received r = record(exchange);
            if (creations.incrementAndGet() == 1) {
                TestHttpServer.respond(exchange, 503, "{\"message\":\"Service Unavailable\"}");
                return;
            }
            received.add(r);
            TestHttpServer.respond(exchange, 201, "{\"id\":" + GITHUB_ID + ",\"environment\":\""
                    + r.body().path("environment").asText() + "\"}");
        });
        String sha = GithubDelivery.push("acme/shop", "main").get("after").asText();
        github.on("/repos/acme/shop/statuses/" + sha, TestHttpServer.status(201, "{}"));
        github.on(STATUSES, exchange -> {
            received.add(record(exchange));
            TestHttpServer.respond(exchange, 201, "{\"id\":1}");
        });
    }

    @AfterEach
    void stopGithub() {
        github.close();
    }

    /**
     * GitHub's primary rate limit (403, x-ratelimit-remaining 0, x-ratelimit-reset): the deployment is not held up,
     * its commit status is not retried into the limit, and the GitHub deployment is created only once the reset has
     * come (the retry delay, 200 ms here, would have come much sooner), once.
     */
    @Test
    void aRateLimitedGithubIsCalledAgainOnlyAfterItsReset() throws Exception {
        long reset = java.time.Instant.now().getEpochSecond() + 4;
        List<java.time.Instant> creationTimes = new CopyOnWriteArrayList<>();
        AtomicInteger commitStatuses = new AtomicInteger();
        github.on(DEPLOYMENTS, exchange -> {
            Received r = record(exchange);
            creationTimes.add(java.time.Instant.now());
            if (creationTimes.size() == 1) {
                exchange.getResponseHeaders().add("x-ratelimit-remaining", "0");
                exchange.getResponseHeaders().add("x-ratelimit-reset", String.valueOf(reset));
                TestHttpServer.respond(exchange, 403, "{\"message\":\"API rate limit exceeded\"}");
                return;
            }
            received.add(r);
            TestHttpServer.respond(exchange, 201, "{\"id\":" + GITHUB_ID + "}");
        });
        String sha = GithubDelivery.push("acme/shop", "main").get("after").asText();
        github.on("/repos/acme/shop/statuses/" + sha, exchange -> {
            commitStatuses.incrementAndGet();
            TestHttpServer.respond(exchange, 201, "{}");
        });
        try (RollingFixture f = start()) {
            var r = GithubDelivery.of("push", GithubDelivery.push("acme/shop", "main")).secret(SECRET).send(f.app);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long id = RollingFixture.json(r.body()).get("deployments").get(0).get("id").asLong();
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");

            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 3);
            assertThat(creationTimes).hasSize(2);
            assertThat(creationTimes.get(1)).isAfterOrEqualTo(java.time.Instant.ofEpochSecond(reset));
            // the start's commit status went out before the limit was met; the end's was not sent into it
            assertThat(commitStatuses.get()).isLessThanOrEqualTo(2);
            assertThat(received).extracting(Received::path).containsExactly(DEPLOYMENTS, STATUSES, STATUSES);
        }
    }

    @Test
    void aPushIsCreatedOnceAfterGitHubsOutageThenInProgressThenSuccess() throws Exception {
        try (RollingFixture f = start()) {
            ObjectNode push = GithubDelivery.push("acme/shop", "main");
            String sha = push.get("after").asText();
            var r = GithubDelivery.of("push", push).secret(SECRET).send(f.app);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long id = RollingFixture.json(r.body()).get("deployments").get(0).get("id").asLong();
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");

            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 3);
            for (Received x : received) {
                assertThat(x.method()).isEqualTo("POST");
                assertThat(x.authorization()).isEqualTo("Bearer " + GITHUB_TOKEN);
                assertThat(x.accept()).isEqualTo("application/vnd.github+json");
            }
            assertThat(received).extracting(Received::path).containsExactly(DEPLOYMENTS, STATUSES, STATUSES);
            JsonNode create = received.get(0).body();
            assertThat(create.get("ref").asText()).isEqualTo(sha);
            assertThat(create.get("environment").asText()).isEqualTo("staging");
            assertThat(create.get("auto_merge").asBoolean()).isFalse();
            assertThat(create.get("required_contexts").isArray()).isTrue();
            assertThat(create.get("required_contexts")).isEmpty();
            assertThat(create.get("transient_environment").asBoolean()).isFalse();
            assertThat(create.get("production_environment").asBoolean()).isFalse();
            assertThat(create.get("description").asText()).contains("sha-" + sha.substring(0, 7));

            JsonNode started = received.get(1).body();
            assertThat(started.get("state").asText()).isEqualTo("in_progress");
            assertThat(started.get("log_url").asText()).isEqualTo(PUBLIC_URL + "/api/v1/deployments/" + id);
            assertThat(started.has("auto_inactive")).isFalse();
            JsonNode ended = received.get(2).body();
            assertThat(ended.get("state").asText()).isEqualTo("success");
            assertThat(ended.get("auto_inactive").asBoolean()).isTrue();
            assertThat(ended.get("log_url").asText()).isEqualTo(PUBLIC_URL + "/api/v1/deployments/" + id);

            assertThat(creations.get()).as("one refused by the outage, one created").isEqualTo(2);
            assertThat(Sql.count(f.db, "select github_deployment_id from deployments where id = ?", id))
                    .isEqualTo(GITHUB_ID);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.app.bean("eventOutbox", EventOutbox.class).unsent() == 0);
            // the retried start did not send its commit status twice
            assertThat(github.requests()).filteredOn(p -> p.startsWith("POST /repos/acme/shop/statuses/"))
                    .hasSize(2);
            Thread.sleep(1000); // several relay passes (every 300 ms in tests): nothing is sent again
            assertThat(received).hasSize(3);
        }
    }

    @Test
    void aFailedDeploymentOfAVersionEndsAsFailureOnItsTag() throws Exception {
        try (RollingFixture f = start()) {
            f.hosts.unhealthyWhileRunning(1, "2.0.0");
            long id = f.deploy("2.0.0");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("failed");

            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 3);
            assertThat(received).extracting(Received::path).containsExactly(DEPLOYMENTS, STATUSES, STATUSES);
            assertThat(received.get(0).body().get("ref").asText()).as("no commit: the version").isEqualTo("2.0.0");
            assertThat(received).extracting(x -> x.body().path("state").asText())
                    .containsExactly("", "in_progress", "failure");
            assertThat(received.get(2).body().has("auto_inactive")).isFalse();
        }
    }

    @Test
    void aProductionSuccessSetsTheDeploymentItReplacedInactive() throws Exception {
        try (GithubApiStandIn api = new GithubApiStandIn("acme/shop", GITHUB_TOKEN, 5001);
             RollingFixture f = production(api, 1, "")) {
            f.deployed("1.0.0");
            long second = f.deploy("2.0.0");
            assertThat(f.awaitEnd(second).get("status").asText()).isEqualTo("succeeded");

            await().atMost(Duration.ofSeconds(20)).until(() -> api.statusesTaken(5001).size() == 3);
            assertThat(api.statusesTaken(5001)).extracting(GithubApiStandIn.Received::state)
                    .containsExactly("in_progress", "success", "inactive");
            JsonNode inactive = api.statusesTaken(5001).get(2).body();
            assertThat(inactive.path("description").asText()).isEqualTo("replaced by 2.0.0 (Greenlight deployment "
                    + second + ")");
            assertThat(api.statusesTaken(5002)).extracting(GithubApiStandIn.Received::state)
                    .containsExactly("in_progress", "success");
            // the replaced one is set inactive only after the success that replaced it
            List<String> order = api.received().stream().map(x -> x.path() + " " + x.state()).toList();
            assertThat(order.indexOf(api.statusesPath(5002) + " success"))
                    .isLessThan(order.indexOf(api.statusesPath(5001) + " inactive"));
            assertThat(api.received()).allSatisfy(x -> assertThat(x.authorization()).isEqualTo("Bearer " + GITHUB_TOKEN));
        }
    }

    @Test
    void aFailedRollbackIsReportedAsAnErrorWithItsReason() throws Exception {
        try (GithubApiStandIn api = new GithubApiStandIn("acme/shop", GITHUB_TOKEN, 5001);
             RollingFixture f = production(api, 2, "batch: 2")) {
            f.deployed("1.0.0");
            java.nio.file.Files.writeString(f.hosts.hostDir(2).resolve("unhealthy"), "");
            long id = f.deploy("2.0.0");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rollback_failed");

            await().atMost(Duration.ofSeconds(20)).until(() -> api.statusesTaken(5002).size() == 2);
            assertThat(api.statusesTaken(5002)).extracting(GithubApiStandIn.Received::state)
                    .containsExactly("in_progress", "error");
            String description = api.statusesTaken(5002).get(1).body().path("description").asText();
            assertThat(description).startsWith("2.0.0 rollback failed on production: ").contains("ROLLBACK FAILED")
                    .hasSizeLessThanOrEqualTo(140);
            assertThat(api.statusesTaken(5001)).as("nothing replaced the live one")
                    .extracting(GithubApiStandIn.Received::state).containsExactly("in_progress", "success");
        }
    }

    @Test
    void aRefusalIsGivenUpWithAnErrorInTheLogWhileTheNextStatusStillGoesOut() throws Exception {
        try (GithubApiStandIn api = new GithubApiStandIn("acme/shop", GITHUB_TOKEN, 5001);
             LogCapture log = new LogCapture();
             RollingFixture f = production(api, 1, "")) {
            api.failStatuses(1, 422);
            long id = f.deploy("1.0.0");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");

            await().atMost(Duration.ofSeconds(20)).until(() -> api.statusesTaken(5001).size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.app.bean("eventOutbox", EventOutbox.class).unsent() == 0);
            Thread.sleep(1000); // several relay passes, each 300 ms: the refused status is not tried again
            List<GithubApiStandIn.Received> statuses = api.received().stream()
                    .filter(x -> x.path().equals(api.statusesPath(5001))).toList();
            assertThat(statuses).extracting(GithubApiStandIn.Received::state).containsExactly("in_progress", "success");
            assertThat(statuses).extracting(GithubApiStandIn.Received::answered).containsExactly(422, 201);
            assertThat(log.text()).contains("ERROR").contains("deployment " + id
                    + ": GitHub refused its deployment started for acme/shop (").contains("422")
                    .contains("not trying again");
        }
    }

    @Test
    void aStatusGithubAnswersTooLateIsTriedAgain() throws Exception {
        try (GithubApiStandIn api = new GithubApiStandIn("acme/shop", GITHUB_TOKEN, 5001);
             LogCapture log = new LogCapture();
             RollingFixture f = production(api, 1, "", Map.of("camel.component.http.so-timeout", "500",
                     "camel.component.http.response-timeout", "500"))) {
            api.delayStatuses(1, 3000);
            long id = f.deploy("1.0.0");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");

            await().atMost(Duration.ofSeconds(30)).until(() -> api.statusesTaken(5001).size() == 3);
            // the first in_progress timed out on Greenlight's side, so it was sent again; GitHub took both, the first
            // one late (the stand-in records a request when it answers it)
            assertThat(api.statusesTaken(5001)).extracting(GithubApiStandIn.Received::state)
                    .containsExactlyInAnyOrder("in_progress", "in_progress", "success");
            assertThat(log.text()).contains("deployment " + id + ": GitHub did not take its deployment started")
                    .contains("trying again at");
            assertThat(api.received()).filteredOn(x -> x.path().equals(api.deploymentsPath())).hasSize(1);
        }
    }

    /** One environment named production (so Greenlight itself sets the replaced deployment inactive), mirror on. */
    private RollingFixture production(GithubApiStandIn api, int hosts, String extras) throws IOException {
        return production(api, hosts, extras, Map.of());
    }

    private RollingFixture production(GithubApiStandIn api, int hosts, String extras, Map<String, String> settings)
            throws IOException {
        Map<String, String> properties = new java.util.HashMap<>(settings);
        properties.put("greenlight.github-deployments.retry-delay", "200ms");
        String block = "github: { token-env: GITHUB_TOKEN, api-url: \"" + api.url() + "\", public-url: \""
                + PUBLIC_URL + "\" }";
        return RollingFixture.start(dir, hosts, extras, Map.of("GITHUB_TOKEN", GITHUB_TOKEN), "", block, null, null,
                b -> b, "", properties, "production");
    }

    private RollingFixture start() throws IOException {
        String block = "github: { token-env: GITHUB_TOKEN, api-url: \"" + github.url() + "\", public-url: \""
                + PUBLIC_URL + "\", deployments: true }";
        return RollingFixture.start(dir, 1, "batch: 1",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", SECRET, "GITHUB_TOKEN", GITHUB_TOKEN), "", block, null, null,
                b -> b, "", Map.of("greenlight.github-deployments.retry-delay", "200ms"));
    }

    private static Received record(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        return new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Accept"),
                Json.MAPPER.readTree(body));
    }
}
