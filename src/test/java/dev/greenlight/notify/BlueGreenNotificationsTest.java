package dev.greenlight.notify;

import static dev.greenlight.bluegreen.BlueGreenFixture.ALICE;
import static dev.greenlight.bluegreen.BlueGreenFixture.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.bluegreen.BlueGreenFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The messages of the blue-green pipeline's waits and of its watch, as a channel receives them: a real Greenlight
 * releasing to simulated SSH hosts with real colours, a local HTTP server as the provider. The channel is a
 * {@code webhook} one (its body is the whole message, every field), and a Slack one shows that the same fields reach
 * a chat message.
 */
class BlueGreenNotificationsTest {
    private static final String PUBLIC_URL = "https://gl.example";

    @TempDir
    Path dir;

    private final ChatProvider provider = new ChatProvider();
    private BlueGreenFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
        provider.close();
    }

    /** production notifying a webhook channel and a Slack channel, their URLs read from files. */
    private BlueGreenFixture start(String extras) throws IOException {
        Path hook = Files.writeString(dir.resolve("hook-url"), provider.hook("/hook") + "\n");
        Path slack = Files.writeString(dir.resolve("slack-url"), provider.hook("/slack") + "\n");
        String config = """
                github: { public-url: "%s" }
                notifications:
                  hook: { type: webhook, url-file: "%s" }
                  slack: { type: slack, url-file: "%s" }
                """.formatted(PUBLIC_URL, hook, slack);
        f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(2, 0, "", "notify: [hook, slack]\n" + extras,
                Map.of("greenlight.notifications.period", "100", "greenlight.notifications.retry-delay", "200ms"),
                config));
        return f;
    }

    /** The webhook channel's message of {@code event} about deployment {@code id}, once it has arrived. */
    private JsonNode message(String event, long id) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> provider.delivered("/hook").stream()
                .filter(r -> event.equals(r.event()) && r.body().path("deploymentId").asLong() == id)
                .map(ChatProvider.Request::body).findFirst().orElse(null), m -> m != null);
    }

    /** The Slack channel's message whose fallback text is {@code title}, once it has arrived. */
    private String slackText(String title) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> provider.delivered("/slack").stream()
                .map(r -> r.body().toString()).filter(b -> b.contains("\"text\":\"" + title + "\"")).findFirst()
                .orElse(null), b -> b != null);
    }

    private static void isAbout(JsonNode m, long id, String version, String previous, String triggeredBy) {
        assertThat(m.get("app").asText()).isEqualTo("shop");
        assertThat(m.get("environment").asText()).isEqualTo("production");
        assertThat(m.get("deploymentId").asLong()).isEqualTo(id);
        assertThat(m.get("version").asText()).isEqualTo(version);
        assertThat(m.path("previousVersion").asText(null)).as("previous version").isEqualTo(previous);
        assertThat(m.get("triggeredBy").asText()).isEqualTo(triggeredBy);
        assertThat(m.get("links").get("deployment").asText()).isEqualTo(PUBLIC_URL + "/api/v1/deployments/" + id);
    }

    /**
     * A first release by alice that bob lets through with {@code action} (approve, promote), then a second one by
     * alice left waiting in {@code status}: the message of {@code event} about the second.
     */
    private JsonNode secondReleaseWaits(String status, String action, String event) {
        long first = f.deploy("1.0.0", ALICE);
        f.awaitStatus(first, status);
        assertThat(f.post(first, action, BOB, "").statusCode()).isEqualTo(200);
        f.awaitStatus(first, "succeeded");

        long id = f.deploy("2.0.0", ALICE);
        f.awaitStatus(id, status);
        JsonNode m = message(event, id);
        isAbout(m, id, "2.0.0", "1.0.0", "alice");
        assertThat(m.get("severity").asText()).isEqualTo("info");
        assertThat(m.get("status").asText()).isEqualTo(status);
        assertThat(m.path("failingStep").isNull()).as("nothing failed").isTrue();
        assertThat(m.path("links").path("incident").isNull()).as("no incident").isTrue();
        return m;
    }

    @Test
    void aReleaseWaitingForApprovalTellsTheChannelWhoMayApproveItAndUntilWhen() throws Exception {
        start("approval: required\napproval-timeout: 1h\nwatch: { duration: 0s }\n");
        JsonNode m = secondReleaseWaits("awaiting_approval", "approve", "awaiting-approval");

        assertThat(m.get("title").asText()).isEqualTo("shop/production: 2.0.0 awaits approval");
        assertThat(m.get("reason").asText()).contains("a token other than alice may approve it").contains("within 1h");
        assertThat(slackText("shop/production: 2.0.0 awaits approval")).contains("1.0.0").contains("alice")
                .contains(PUBLIC_URL + "/api/v1/deployments/" + m.get("deploymentId").asLong());
        assertThat(provider.delivered("/hook")).extracting(ChatProvider.Request::event)
                .containsSubsequence("awaiting-approval", "started", "succeeded", "awaiting-approval");
    }

    @Test
    void aReleaseWaitingForPromotionTellsTheChannelTheIdleColourIsReady() throws Exception {
        start("promotion: manual\npromotion-timeout: 1h\nwatch: { duration: 0s }\n");
        JsonNode m = secondReleaseWaits("awaiting_promotion", "promote", "awaiting-promotion");

        long id = m.get("deploymentId").asLong();
        assertThat(m.get("title").asText()).isEqualTo("shop/production: 2.0.0 awaits promotion: the idle colour is ready");
        assertThat(m.get("reason").asText()).isEqualTo("awaiting promotion: the idle colour runs 2.0.0 and is healthy; "
                + "POST /api/v1/deployments/" + id + "/promote switches traffic to it, a cancel stops it (within 1h)");
        assertThat(slackText("shop/production: 2.0.0 awaits promotion: the idle colour is ready"))
                .contains("1.0.0").contains("alice");
    }

    @Test
    void errorsRisingDuringTheWatchRaiseACriticalAlertWithTheFailingStepThenTheRollbackMessage() throws Exception {
        start("watch: { duration: 10s, interval: 200ms, max-errors: 3, errors-path: /health/errors }\n");
        f.deployed("1.0.0"); // its watch reads no errors for its 10 s

        long id = f.deploy("2.0.0", ALICE);
        await().atMost(Duration.ofSeconds(60)).until(() -> "green".equals(f.live(1)) && "green".equals(f.live(2))
                && !BlueGreenFixture.steps(f.deployment(id), "watch", "127.0.0.11").isEmpty());
        f.write(1, "errors-2.0.0", "57");
        assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rolled_back");

        JsonNode alert = message("error-rate", id);
        isAbout(alert, id, "2.0.0", "1.0.0", "alice");
        assertThat(alert.get("severity").asText()).isEqualTo("critical");
        assertThat(alert.get("title").asText()).isEqualTo("shop/production: high error rate during the watch deploying 2.0.0");
        assertThat(alert.get("reason").asText()).startsWith("watch: 57 errors in ").contains("more than 3 allowed");
        assertThat(alert.get("failingStep").asText()).startsWith("watch on 127.0.0.11")
                .contains("/health/errors errors=57 (+57)");

        JsonNode rolledBack = message("rolled-back", id);
        isAbout(rolledBack, id, "2.0.0", "1.0.0", "alice");
        assertThat(rolledBack.get("title").asText()).isEqualTo("shop/production: 2.0.0 failed and was rolled back to 1.0.0");
        assertThat(rolledBack.get("failingStep").asText()).startsWith("watch on 127.0.0.11");
        assertThat(rolledBack.get("reason").asText()).startsWith("watch: 57 errors in ");
        // whole seconds from start to end, which a quick rollback keeps under one
        assertThat(rolledBack.get("durationSeconds").isNumber()).isTrue();
        assertThat(rolledBack.get("durationSeconds").asLong()).isNotNegative();
        assertThat(rolledBack.get("links").get("incident").asText())
                .isEqualTo(PUBLIC_URL + "/api/v1/deployments/" + id + "/incident");
        assertThat(slackText("shop/production: high error rate during the watch deploying 2.0.0"))
                .contains("watch on 127.0.0.11").contains("critical");

        List<String> events = provider.delivered("/hook").stream()
                .filter(r -> r.body().path("deploymentId").asLong() == id).map(ChatProvider.Request::event).toList();
        assertThat(events).as("the alert comes before the outcome").containsExactly("started", "error-rate",
                "rolled-back");
    }
}
