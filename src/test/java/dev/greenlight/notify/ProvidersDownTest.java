package dev.greenlight.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestHttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * None blocks the others: the chat provider and the GitHub API are both down (503) while a deployment runs. The
 * webhook is answered at once, the deployment succeeds as fast as with both up, and once they are back the message
 * and the GitHub deployment with its statuses are delivered, each once.
 */
class ProvidersDownTest {
    private static final String GITHUB_TOKEN = "ghp_providers_down_0123456789";
    private static final String DEPLOYMENTS = "/repos/acme/shop/deployments";
    private static final long GITHUB_ID = 4242;

    @TempDir
    Path dir;

    @Test
    void aDeploymentRunsOnTimeWhileChatAndGithubAreDownAndEverythingIsDeliveredOnceAfter() throws Exception {
        AtomicBoolean githubDown = new AtomicBoolean(true);
        List<String> taken = new CopyOnWriteArrayList<>();
        try (ChatProvider chat = new ChatProvider(); TestHttpServer github = new TestHttpServer()) {
            chat.always("/team", ChatProvider.Answer.of(503));
            github.on(DEPLOYMENTS, exchange -> {
                exchange.getRequestBody().readAllBytes();
                if (githubDown.get()) {
                    TestHttpServer.respond(exchange, 503, "{\"message\":\"Service Unavailable\"}");
                    return;
                }
                taken.add("create");
                TestHttpServer.respond(exchange, 201, "{\"id\":" + GITHUB_ID + "}");
            });
            github.on(DEPLOYMENTS + "/" + GITHUB_ID + "/statuses", exchange -> {
                JsonNode body = RollingFixture.json(new String(exchange.getRequestBody().readAllBytes()));
                if (githubDown.get()) {
                    TestHttpServer.respond(exchange, 503, "{}");
                    return;
                }
                taken.add(body.get("state").asText());
                TestHttpServer.respond(exchange, 201, "{}");
            });
            String sha = GithubDelivery.push("acme/shop", "main").get("after").asText();
            github.on("/repos/acme/shop/statuses/" + sha, TestHttpServer.status(503, "{}"));
            Map<String, String> settings = Map.of("greenlight.notifications.period", "100",
                    "greenlight.notifications.retry-delay", "200ms", "greenlight.notifications.max-delay", "1s",
                    "greenlight.notifications.max-attempts", "1000", "greenlight.github-deployments.retry-delay",
                    "200ms");
            String topLevel = "github: { token-env: GITHUB_TOKEN, api-url: \"" + github.url()
                    + "\", public-url: \"https://gl.example\", deployments: true }\n"
                    + "notifications:\n  team: { type: webhook, url-env: TEAM_URL }";
            try (RollingFixture f = RollingFixture.start(dir, 1, "notify: [team]", Map.of("TEAM_URL",
                    chat.hook("/team"), "GITHUB_TOKEN", GITHUB_TOKEN, "GREENLIGHT_WEBHOOK_SECRET",
                    TestConfig.WEBHOOK_SECRET), "", topLevel, null, null, UnaryOperator.identity(), "", settings)) {
                // warmed up first, so the time measured is the answer's, not a fresh JVM's first request
                f.app.get("/api/v1/deployments", null);
                Instant sent = Instant.now();
                var answer = GithubDelivery.of("push", GithubDelivery.push("acme/shop", "main")).send(f.app);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                assertThat(Duration.between(sent, Instant.now())).as("within GitHub's 10 s")
                        .isLessThan(Duration.ofSeconds(10));
                long id = RollingFixture.json(answer.body()).get("deployments").get(0).get("id").asLong();

                JsonNode done = f.awaitEnd(id);
                assertThat(done.get("status").asText()).isEqualTo("succeeded");
                Duration took = Duration.between(Instant.parse(done.get("startedAt").asText()),
                        Instant.parse(done.get("finishedAt").asText()));
                assertThat(took).as("one host over embedded SSH, nothing waiting on chat or GitHub")
                        .isLessThan(Duration.ofSeconds(30));
                assertThat(chat.delivered("/team")).isEmpty();
                assertThat(taken).isEmpty();

                chat.always("/team", ChatProvider.Answer.of(200));
                githubDown.set(false);
                await().atMost(Duration.ofSeconds(30)).until(() -> chat.delivered("/team").size() == 2
                        && taken.size() == 3);
                Thread.sleep(1500); // nothing more arrives: each was delivered once
                assertThat(chat.delivered("/team")).extracting(ChatProvider.Request::event)
                        .containsExactly("started", "succeeded");
                assertThat(taken).containsExactly("create", "in_progress", "success");
            }
        }
    }
}
