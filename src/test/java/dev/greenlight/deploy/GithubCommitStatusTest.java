package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.greenlight.http.Json;
import dev.greenlight.testing.GithubDelivery;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
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

/** Commit statuses against a local stand-in for GitHub's REST API that checks each request. */
class GithubCommitStatusTest {
    private static final String SECRET = "webhook-secret-for-status-test";
    private static final String GITHUB_TOKEN = "ghp_statusTestToken0123456789";

    record Received(String path, String authorization, JsonNode body) {
    }

    @TempDir
    Path dir;
    HttpServer github;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile String refusedState;

    @BeforeEach
    void startGithub() throws Exception {
        github = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        github.createContext("/", exchange -> {
            int n = calls.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            // the first call fails like a GitHub hiccup: the status must still arrive, by redelivery
            int status = n == 1 ? 502 : 201;
            if (refusedState != null && body.length > 0
                    && refusedState.equals(Json.MAPPER.readTree(body).path("state").asText())) {
                status = 422; // as GitHub answers for a commit it does not know: every retry fails the same way
            }
            if (status == 201 && exchange.getRequestMethod().equals("POST")) {
                received.add(new Received(exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"), Json.MAPPER.readTree(body)));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        github.start();
    }

    @AfterEach
    void stopGithub() {
        github.stop(0);
    }

    @Test
    void statusesWaitInTheOutboxWhileTheRelayIsDownAndGoOutInOrderAfter() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", SECRET, "GITHUB_TOKEN", GITHUB_TOKEN), "", githubBlock())) {
            // as after a crash between the status change and the call: the events are written, nothing sends them
            f.app.context().getRouteController().stopRoute("deployment-events");
            EventOutbox outbox = f.app.bean("eventOutbox", EventOutbox.class);

            long id = push(f);
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");
            assertThat(outbox.unsent()).isEqualTo(2);
            assertThat(calls.get()).isZero();

            f.app.context().getRouteController().startRoute("deployment-events");

            await().atMost(Duration.ofSeconds(15)).until(() -> received.size() == 2);
            assertThat(received).extracting(x -> x.body().get("state").asText()).containsExactly("pending", "success");
            await().atMost(Duration.ofSeconds(5)).until(() -> outbox.unsent() == 0);
        }
    }

    @Test
    void aStatusGitHubKeepsRefusingIsGivenUpAndTheNextOneStillGoesOut() throws Exception {
        refusedState = "pending";
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", SECRET, "GITHUB_TOKEN", GITHUB_TOKEN), "", githubBlock())) {
            EventOutbox outbox = f.app.bean("eventOutbox", EventOutbox.class);

            long id = push(f);
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");

            // pending: the first call and 3 retries, then given up (not sent again); success follows
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 1);
            assertThat(received.get(0).body().get("state").asText()).isEqualTo("success");
            await().atMost(Duration.ofSeconds(5)).until(() -> outbox.unsent() == 0);
            Thread.sleep(1000); // several relay passes (every 300 ms in tests): nothing is sent again
            assertThat(calls.get()).isEqualTo(5);
        }
    }

    private String pushSha() throws java.io.IOException {
        return pushPayload().get("after").asText();
    }

    private ObjectNode pushPayload() throws java.io.IOException {
        ObjectNode push = (ObjectNode) Json.MAPPER.readTree(getClass().getResourceAsStream("/github/push.branch-created.json"));
        ((ObjectNode) push.get("repository")).put("full_name", "acme/shop");
        push.put("ref", "refs/heads/main");
        return push;
    }

    /** A signed push to main of acme/shop; returns the deployment it queued. */
    private long push(RollingFixture f) throws java.io.IOException {
        byte[] body = Json.MAPPER.writeValueAsBytes(pushPayload());
        var r = f.app.send(HttpRequest.newBuilder(f.app.uri("/webhooks/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "status-test-1")
                .header("X-Hub-Signature-256", GithubDelivery.sign(SECRET.getBytes(StandardCharsets.UTF_8), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return RollingFixture.json(r.body()).get("deployments").get(0).get("id").asLong();
    }

    /** Commit statuses only: the deployments mirror (on by default) has its own tests, GithubDeploymentsTest. */
    private String githubBlock() {
        return "github: { token-env: GITHUB_TOKEN, api-url: \"http://127.0.0.1:" + github.getAddress().getPort()
                + "\", public-url: \"https://greenlight.example.com\", deployments: false }";
    }

    @Test
    void pushDeploymentSetsPendingThenSuccessOnTheCommit() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", SECRET, "GITHUB_TOKEN", GITHUB_TOKEN), "", githubBlock())) {
            String sha = pushSha();
            long id = push(f);
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");

            await().atMost(Duration.ofSeconds(15)).until(() -> received.size() == 2);
            assertThat(received).extracting(x -> x.body().get("state").asText()).containsExactly("pending", "success");
            for (Received x : received) {
                assertThat(x.path()).isEqualTo("/repos/acme/shop/statuses/" + sha);
                assertThat(x.authorization()).isEqualTo("Bearer " + GITHUB_TOKEN);
                assertThat(x.body().get("context").asText()).isEqualTo("greenlight/staging");
                assertThat(x.body().get("target_url").asText()).isEqualTo("https://greenlight.example.com/api/v1/deployments/" + id);
            }
            assertThat(calls.get()).as("one failed call, redelivered").isEqualTo(3);
            assertThat(f.hosts.version(1)).isEqualTo("sha-" + sha.substring(0, 7));
        }
    }
}
