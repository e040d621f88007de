package dev.greenlight.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.testing.PrometheusScrape;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications end to end: a real Greenlight deploying to simulated hosts, real local HTTP servers as the chat
 * providers, each request's method, content type and JSON checked.
 */
class NotificationDeliveryTest {
    @TempDir
    Path dir;

    private final ChatProvider provider = new ChatProvider();
    private RollingFixture fixture;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) fixture.close();
        provider.close();
    }

    /** shop/staging notifying {@code notify}, with the channels of {@code channels} (YAML under notifications:). */
    private RollingFixture start(String notify, String channels, Map<String, String> env, Map<String, String> props)
            throws Exception {
        Map<String, String> properties = new HashMap<>(Map.of("greenlight.notifications.period", "100",
                "greenlight.notifications.retry-delay", "200ms"));
        properties.putAll(props);
        fixture = RollingFixture.start(dir, 1, "notify: [" + notify + "]", env, "",
                "github: { public-url: \"https://gl.example\" }\nnotifications:\n" + channels.indent(2), null, null,
                UnaryOperator.identity(), "", properties);
        return fixture;
    }

    private static JsonNode json(String body) {
        return RollingFixture.json(body);
    }

    private static void allPost(List<ChatProvider.Request> requests) {
        assertThat(requests).isNotEmpty().allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.contentType()).startsWith("application/json");
        });
    }

    @Test
    void everyProviderGetsItsOwnFormatForEveryEvent() throws Exception {
        Map<String, String> env = Map.of("SLACK_URL", provider.hook("/slack"), "DISCORD_URL", provider.hook("/discord"),
                "TEAMS_URL", provider.hook("/teams"), "MM_URL", provider.hook("/mm"), "HOOK_URL", provider.hook("/hook"));
        provider.always("/discord", ChatProvider.Answer.of(204)).always("/teams", ChatProvider.Answer.of(202));
        start("slack, discord, teams, mm, hook", """
                slack: { type: slack, url-env: SLACK_URL }
                discord: { type: discord, url-env: DISCORD_URL }
                teams: { type: teams, url-env: TEAMS_URL }
                mm: { type: mattermost, url-env: MM_URL }
                hook: { type: webhook, url-env: HOOK_URL }
                """, env, Map.of());

        long id = fixture.deploy("v1");
        fixture.awaitEnd(id);
        await().atMost(Duration.ofSeconds(15)).until(() -> provider.requests.size() == 10);

        for (String path : List.of("/slack", "/discord", "/teams", "/mm", "/hook")) allPost(provider.at(path));
        List<ChatProvider.Request> hook = provider.at("/hook");
        assertThat(hook).extracting(ChatProvider.Request::event).containsExactly("started", "succeeded");
        JsonNode succeeded = hook.get(1).body();
        assertThat(succeeded.get("app").asText()).isEqualTo("shop");
        assertThat(succeeded.get("environment").asText()).isEqualTo("staging");
        assertThat(succeeded.get("version").asText()).isEqualTo("v1");
        assertThat(succeeded.get("triggeredBy").asText()).isEqualTo("ci");
        assertThat(succeeded.get("deploymentId").asLong()).isEqualTo(id);
        assertThat(succeeded.get("durationSeconds").isNumber()).isTrue();
        assertThat(succeeded.get("links").get("deployment").asText()).isEqualTo("https://gl.example/api/v1/deployments/" + id);
        assertThat(succeeded.get("title").asText()).isEqualTo("shop/staging: v1 is live");

        JsonNode slack = provider.at("/slack").get(1).body();
        assertThat(slack.get("text").asText()).isEqualTo("shop/staging: v1 is live");
        assertThat(slack.get("blocks").get(0).get("type").asText()).isEqualTo("header");
        JsonNode discord = provider.at("/discord").get(1).body();
        assertThat(discord.get("content").asText()).isEqualTo("shop/staging: v1 is live");
        assertThat(discord.get("embeds")).hasSize(1);
        JsonNode teams = provider.at("/teams").get(1).body();
        assertThat(teams.get("type").asText()).isEqualTo("message");
        assertThat(teams.get("attachments").get(0).get("contentType").asText())
                .isEqualTo("application/vnd.microsoft.card.adaptive");
        assertThat(teams.get("attachments").get(0).get("content").get("version").asText()).isEqualTo("1.4");
        assertThat(provider.at("/mm").get(1).body().get("text").asText()).startsWith("**shop/staging: v1 is live**");
        await().atMost(Duration.ofSeconds(5)).until(() -> Sql.count(fixture.db,
                "select count(*) from notifications where status = 'sent'") == 10);
    }

    @Test
    void aProviderAnswering500Then429ThenOkLosesNothingKeepsOrderAndHonoursRetryAfter() throws Exception {
        provider.then("/team", ChatProvider.Answer.of(500),
                new ChatProvider.Answer(429, Map.of("Retry-After", "2"), 0));
        start("team", "team: { type: webhook, url-env: TEAM_URL }", Map.of("TEAM_URL", provider.hook("/team")), Map.of());

        fixture.awaitEnd(fixture.deploy("v1"));
        fixture.awaitEnd(fixture.deploy("v2"));
        await().atMost(Duration.ofSeconds(20)).until(() -> provider.delivered("/team").size() == 4);

        List<ChatProvider.Request> all = provider.at("/team");
        assertThat(all).extracting(ChatProvider.Request::answered).containsExactly(500, 429, 200, 200, 200, 200);
        assertThat(all.subList(0, 3)).extracting(ChatProvider.Request::event).containsOnly("started");
        assertThat(provider.delivered("/team")).extracting(r -> r.event() + " " + r.body().get("version").asText())
                .containsExactly("started v1", "succeeded v1", "started v2", "succeeded v2");
        assertThat(Duration.between(all.get(1).at(), all.get(2).at())).as("Retry-After: 2")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(Duration.between(all.get(0).at(), all.get(1).at())).as("the back-off after a 500")
                .isGreaterThanOrEqualTo(Duration.ofMillis(200));
        // The provider has answered the last message; the relay marks it sent just after, in its own transaction.
        await().atMost(Duration.ofSeconds(5)).until(() -> Sql.count(fixture.db,
                "select count(*) from notifications where status <> 'sent'") == 0);
        assertThat(Sql.count(fixture.db, "select attempts from notifications order by id limit 1")).isEqualTo(3);
    }

    @Test
    void aMessageOutOfAttemptsIsDeadVisibleAndCanBeSentAgain() throws Exception {
        provider.always("/ops", ChatProvider.Answer.of(503));
        start("ops", "ops: { type: slack, url-env: OPS_URL, events: [succeeded] }",
                Map.of("OPS_URL", provider.hook("/ops")), Map.of("greenlight.notifications.max-attempts", "2"));

        fixture.awaitEnd(fixture.deploy("v1"));
        await().atMost(Duration.ofSeconds(15)).until(() -> Sql.count(fixture.db,
                "select count(*) from notifications where status = 'dead'") == 1);
        assertThat(provider.at("/ops")).hasSize(2);

        JsonNode dead = json(fixture.app.get("/api/v1/notifications?status=dead", RollingFixture.TOKEN).body())
                .get("notifications");
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("channel").asText()).isEqualTo("ops");
        assertThat(dead.get(0).get("event").asText()).isEqualTo("succeeded");
        assertThat(dead.get(0).get("attempts").asInt()).isEqualTo(2);
        assertThat(dead.get(0).get("lastError").asText()).startsWith("HTTP 503");
        assertThat(dead.get(0).get("message").get("version").asText()).isEqualTo("v1");
        assertThat(json(fixture.app.get("/api/v1/notifications?status=pending", RollingFixture.TOKEN).body())
                .get("notifications")).isEmpty();
        assertThat(fixture.app.get("/api/v1/notifications?status=lost", RollingFixture.TOKEN).statusCode()).isEqualTo(400);
        long id = dead.get(0).get("id").asLong();

        provider.always("/ops", ChatProvider.Answer.of(200));
        var resent = fixture.app.postJson("/api/v1/notifications/" + id + "/resend", RollingFixture.TOKEN,
                "{\"reason\":\"slack is back\"}");
        assertThat(resent.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> provider.delivered("/ops").size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> Sql.count(fixture.db,
                "select count(*) from notifications where status = 'sent'") == 1);
        assertThat(fixture.app.postJson("/api/v1/notifications/" + id + "/resend", RollingFixture.TOKEN, "")
                .statusCode()).as("no longer dead").isEqualTo(409);
        assertThat(fixture.app.postJson("/api/v1/notifications/999999/resend", RollingFixture.TOKEN, "")
                .statusCode()).isEqualTo(404);
        assertThat(Sql.count(fixture.db, "select count(*) from audit_log where action = 'notification.resent' "
                + "and actor = 'ci' and detail like '%slack is back%'")).isEqualTo(1);
        PrometheusScrape scrape = PrometheusScrape.of(fixture.app.managementPort());
        assertThat(scrape.value("greenlight_notifications_dead_letters_total{channel=\"ops\"}")).isEqualTo(1);
        assertThat(scrape.value("greenlight_notifications_delivered_total{channel=\"ops\"}")).isEqualTo(1);
    }

    @Test
    void undeliveredMessagesAreDeliveredAfterARestart() throws Exception {
        String down = "http://127.0.0.1:" + TestHttpServer.closedPort() + "/team";
        start("team", "team: { type: webhook, url-env: TEAM_URL }", Map.of("TEAM_URL", down), Map.of());
        fixture.awaitEnd(fixture.deploy("v1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count(fixture.db,
                "select count(*) from notifications where attempts > 0") == 1);
        fixture.app.close();
        assertThat(Sql.count(fixture.db, "select count(*) from notifications where status = 'pending'")).isEqualTo(2);

        Map<String, String> env = Map.of("TEST_TOKEN", RollingFixture.TOKEN, "TEAM_URL", provider.hook("/team"));
        try (TestGreenlight again = TestGreenlight.start(dir.resolve("greenlight.yaml"), fixture.db, env,
                Map.of("greenlight.notifications.period", "100", "greenlight.notifications.retry-delay", "200ms"))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> provider.delivered("/team").size() == 2);
            assertThat(provider.delivered("/team")).extracting(ChatProvider.Request::event)
                    .containsExactly("started", "succeeded");
        }
    }

    @Test
    void aProviderThatHangsDoesNotSlowADeployment() throws Exception {
        provider.always("/slow", new ChatProvider.Answer(200, Map.of(), 12_000));
        start("slow", "slow: { type: webhook, url-env: SLOW_URL }", Map.of("SLOW_URL", provider.hook("/slow")), Map.of());

        Instant begin = Instant.now();
        JsonNode done = fixture.awaitEnd(fixture.deploy("v1"));
        Duration took = Duration.between(begin, Instant.now());

        assertThat(done.get("status").asText()).isEqualTo("succeeded");
        assertThat(provider.requests).as("the provider was still hanging on the first message").hasSize(1);
        assertThat(Sql.count(fixture.db, "select count(*) from notifications where status = 'sent'")).isZero();
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void channelsGetTheEventsTheySelectedAndACriticalChannelOnlyFailures() throws Exception {
        Map<String, String> env = Map.of("ALL_URL", provider.hook("/all"), "PICKY_URL", provider.hook("/picky"),
                "ONCALL_URL", provider.hook("/oncall"));
        start("all, picky, oncall", """
                all: { type: webhook, url-env: ALL_URL }
                picky: { type: webhook, url-env: PICKY_URL, events: [succeeded, health-check-failed] }
                oncall: { type: webhook, url-env: ONCALL_URL, severity: critical }
                """, env, Map.of());
        fixture.deployed("v1");
        fixture.hosts.unhealthyWhileRunning(1, "v2");
        long failed = fixture.deploy("v2");
        assertThat(fixture.awaitEnd(failed).get("status").asText()).isEqualTo("rolled_back");

        await().atMost(Duration.ofSeconds(15)).until(() -> provider.delivered("/all").size() == 7);
        assertThat(provider.delivered("/all")).extracting(ChatProvider.Request::event).containsExactly("started",
                "succeeded", "started", "health-check-failed", "rolled-back", "review-trigger", "review-trigger");
        await().atMost(Duration.ofSeconds(5)).until(() -> provider.delivered("/picky").size() == 2);
        assertThat(provider.delivered("/picky")).extracting(ChatProvider.Request::event)
                .containsExactly("succeeded", "health-check-failed");
        await().atMost(Duration.ofSeconds(5)).until(() -> provider.delivered("/oncall").size() == 1);
        JsonNode rolledBack = provider.delivered("/oncall").get(0).body();
        assertThat(rolledBack.get("event").asText()).isEqualTo("rolled-back");
        assertThat(rolledBack.get("previousVersion").asText()).isEqualTo("v1");
        assertThat(rolledBack.get("failingStep").asText()).startsWith("health on ");
        assertThat(rolledBack.get("reason").asText()).contains("unhealthy");
        assertThat(rolledBack.get("links").get("incident").asText())
                .isEqualTo("https://gl.example/api/v1/deployments/" + failed + "/incident");
        JsonNode health = provider.delivered("/picky").get(1).body();
        assertThat(health.get("severity").asText()).isEqualTo("warning");
        assertThat(health.get("reason").asText()).contains("attempt 2/2");
        TestHttpServer.sleep(500); // nothing more arrives
        assertThat(provider.requests).hasSize(10);
    }
}
