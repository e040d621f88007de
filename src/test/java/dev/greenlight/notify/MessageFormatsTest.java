package dev.greenlight.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each provider's exact message for one rolled-back deployment, and the limits each provider sets. */
class MessageFormatsTest {
    static final Notice ROLLED_BACK = new Notice("rolled-back", "warning",
            "shop/staging: sha-b2 failed and was rolled back to sha-a1", "shop", "staging", 7L, "sha-b2", "sha-a1",
            "ci", "rolled_back", 95L, "health on 10.0.0.5:22: /health answered 500",
            "10.0.0.5:22 unhealthy (attempt 2/2): /health 500 <html>", new Notice.Links(
            "https://gl.example/api/v1/deployments/7", "https://gl.example/api/v1/deployments/7/incident"), null,
            Instant.parse("2026-03-01T10:15:30Z"));

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void slackSendsBlockKitWithAPlainTextFallback() throws Exception {
        assertThat(json(new SlackFormat().render(ROLLED_BACK))).isEqualTo(json("""
                {"text": "shop/staging: sha-b2 failed and was rolled back to sha-a1: 10.0.0.5:22 unhealthy (attempt 2/2): /health 500 &lt;html&gt;",
                 "blocks": [
                  {"type": "header", "text": {"type": "plain_text", "text": "shop/staging: sha-b2 failed and was rolled back to sha-a1"}},
                  {"type": "section", "text": {"type": "mrkdwn", "text": "10.0.0.5:22 unhealthy (attempt 2/2): /health 500 &lt;html&gt;"}},
                  {"type": "section", "fields": [
                    {"type": "mrkdwn", "text": "*App*\\nshop"},
                    {"type": "mrkdwn", "text": "*Environment*\\nstaging"},
                    {"type": "mrkdwn", "text": "*Version*\\nsha-b2"},
                    {"type": "mrkdwn", "text": "*Previous version*\\nsha-a1"},
                    {"type": "mrkdwn", "text": "*Triggered by*\\nci"},
                    {"type": "mrkdwn", "text": "*Status*\\nrolled_back"},
                    {"type": "mrkdwn", "text": "*Duration*\\n1m 35s"},
                    {"type": "mrkdwn", "text": "*Failing step*\\nhealth on 10.0.0.5:22: /health answered 500"},
                    {"type": "mrkdwn", "text": "*Severity*\\nwarning"}]},
                  {"type": "actions", "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Deployment"}, "url": "https://gl.example/api/v1/deployments/7"},
                    {"type": "button", "text": {"type": "plain_text", "text": "Incident report"}, "url": "https://gl.example/api/v1/deployments/7/incident"}]}]}
                """));
    }

    @Test
    void slackCutsLongTextsWithinItsLimitsWithoutSplittingAnEscape() throws Exception {
        Notice longReason = new Notice("failed", "critical", "t".repeat(200), "shop", "staging", null, null, null,
                null, null, null, null, "<".repeat(2000), Notice.Links.NONE, null, null);

        JsonNode body = json(new SlackFormat().render(longReason));

        assertThat(body.get("blocks").get(0).get("text").get("text").asText()).hasSize(150).endsWith("…");
        String section = body.get("blocks").get(1).get("text").get("text").asText();
        assertThat(section).hasSizeLessThanOrEqualTo(3000).endsWith("&lt;…").doesNotContain("<");
        assertThat(section.replace("&lt;", "")).isEqualTo("…");
        String fallback = body.get("text").asText();
        assertThat(fallback).hasSizeLessThanOrEqualTo(3000).startsWith("t".repeat(200) + ": &lt;").endsWith("&lt;…");
        assertThat(body.get("blocks")).hasSizeLessThanOrEqualTo(50);
    }

    @Test
    void slackLeavesOutTheSectionOfABlankReason() throws Exception {
        Notice blank = new Notice("succeeded", "info", "shop/staging: sha-b2 is live", "shop", "staging", null,
                null, null, null, null, null, null, " ", Notice.Links.NONE, null, null);

        JsonNode body = json(new SlackFormat().render(blank));

        assertThat(body.get("text").asText()).isEqualTo("shop/staging: sha-b2 is live");
        assertThat(body.get("blocks")).hasSize(2);
        assertThat(body.get("blocks").get(1).has("fields")).isTrue();
    }

    @Test
    void discordSendsContentAndOneEmbedWithMentionsOff() throws Exception {
        assertThat(json(new DiscordFormat().render(ROLLED_BACK))).isEqualTo(json("""
                {"content": "shop/staging: sha-b2 failed and was rolled back to sha-a1",
                 "embeds": [{
                   "title": "shop/staging: sha-b2 failed and was rolled back to sha-a1",
                   "url": "https://gl.example/api/v1/deployments/7",
                   "description": "10.0.0.5:22 unhealthy (attempt 2/2): /health 500 <html>",
                   "color": 16224265,
                   "fields": [
                     {"name": "App", "value": "shop", "inline": true},
                     {"name": "Environment", "value": "staging", "inline": true},
                     {"name": "Version", "value": "sha-b2", "inline": true},
                     {"name": "Previous version", "value": "sha-a1", "inline": true},
                     {"name": "Triggered by", "value": "ci", "inline": true},
                     {"name": "Status", "value": "rolled_back", "inline": true},
                     {"name": "Duration", "value": "1m 35s", "inline": true},
                     {"name": "Failing step", "value": "health on 10.0.0.5:22: /health answered 500", "inline": true},
                     {"name": "Severity", "value": "warning", "inline": true},
                     {"name": "Deployment", "value": "[open](https://gl.example/api/v1/deployments/7)", "inline": false},
                     {"name": "Incident report", "value": "[open](https://gl.example/api/v1/deployments/7/incident)", "inline": false}],
                   "timestamp": "2026-03-01T10:15:30Z"}],
                 "allowed_mentions": {"parse": []}}
                """));
    }

    @Test
    void discordKeepsEveryLimitWithHugeTexts() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) figures.put("figure " + i + " " + "n".repeat(300), "v".repeat(2000));
        Notice huge = new Notice("review-trigger", "warning", "t".repeat(3000), "shop", "staging", null, null, null,
                null, null, null, null, "r".repeat(9000), Notice.Links.NONE, figures, null);

        JsonNode body = json(new DiscordFormat().render(huge));

        assertThat(body.get("content").asText()).hasSize(2000).endsWith("…");
        JsonNode embed = body.get("embeds").get(0);
        assertThat(embed.get("title").asText()).hasSize(256);
        assertThat(embed.get("fields")).hasSizeLessThanOrEqualTo(25);
        int total = embed.get("title").asText().length()
                + (embed.has("description") ? embed.get("description").asText().length() : 0);
        for (JsonNode f : embed.get("fields")) {
            assertThat(f.get("name").asText()).hasSizeLessThanOrEqualTo(256);
            assertThat(f.get("value").asText()).hasSizeLessThanOrEqualTo(1024);
            total += f.get("name").asText().length() + f.get("value").asText().length();
        }
        assertThat(total).isLessThanOrEqualTo(6000);
        assertThat(embed.get("fields").size()).as("as many fields as fit").isGreaterThan(3);
    }

    @Test
    void aCutNeverSplitsACharacter() {
        assertThat(Texts.cut("ab\uD83D\uDE00cd", 4)).isEqualTo("ab…");
        assertThat(Texts.cut("abcdef", 4)).isEqualTo("abc…");
        assertThat(Texts.cut("abc", 4)).isEqualTo("abc");
    }

    @Test
    void teamsSendsAnAdaptiveCardInAWorkflowsMessage() throws Exception {
        assertThat(json(new TeamsFormat().render(ROLLED_BACK))).isEqualTo(json("""
                {"type": "message",
                 "attachments": [{
                   "contentType": "application/vnd.microsoft.card.adaptive",
                   "contentUrl": null,
                   "content": {
                     "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                     "type": "AdaptiveCard",
                     "version": "1.4",
                     "body": [
                       {"type": "TextBlock", "text": "shop/staging: sha-b2 failed and was rolled back to sha-a1", "wrap": true,
                        "color": "Warning", "size": "Medium", "weight": "Bolder"},
                       {"type": "TextBlock", "text": "10.0.0.5:22 unhealthy (attempt 2/2): /health 500 <html>", "wrap": true},
                       {"type": "FactSet", "facts": [
                         {"title": "App", "value": "shop"},
                         {"title": "Environment", "value": "staging"},
                         {"title": "Version", "value": "sha-b2"},
                         {"title": "Previous version", "value": "sha-a1"},
                         {"title": "Triggered by", "value": "ci"},
                         {"title": "Status", "value": "rolled_back"},
                         {"title": "Duration", "value": "1m 35s"},
                         {"title": "Failing step", "value": "health on 10.0.0.5:22: /health answered 500"},
                         {"title": "Severity", "value": "warning"}]}],
                     "actions": [
                       {"type": "Action.OpenUrl", "title": "Deployment", "url": "https://gl.example/api/v1/deployments/7"},
                       {"type": "Action.OpenUrl", "title": "Incident report", "url": "https://gl.example/api/v1/deployments/7/incident"}]}}]}
                """));
    }

    @Test
    void teamsKeepsTheWholeMessageUnderItsSizeLimit() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) figures.put("figure " + i, "界".repeat(2000));
        Notice huge = new Notice("review-trigger", "warning", "t".repeat(3000), "shop", "staging", null, null, null,
                null, null, null, null, "理".repeat(20000), Notice.Links.NONE, figures, null);

        String message = new TeamsFormat().render(huge);

        assertThat(message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(TeamsFormat.MAX_BYTES);
        JsonNode card = json(message).get("attachments").get(0).get("content");
        assertThat(card.get("body").get(1).get("text").asText()).startsWith("理理").endsWith("…");
        JsonNode facts = card.get("body").get(2).get("facts");
        assertThat(facts.get(0)).isEqualTo(json("{\"title\": \"App\", \"value\": \"shop\"}"));
        assertThat(facts.get(facts.size() - 1).get("value").asText()).isEqualTo("warning");
    }

    @Test
    void mattermostSendsMarkdownTextAndAnAttachmentWithTheFacts() throws Exception {
        JsonNode body = json(new MattermostFormat().render(ROLLED_BACK));

        assertThat(body.get("text").asText()).isEqualTo("**shop/staging: sha-b2 failed and was rolled back to sha-a1**\n"
                + "10.0.0.5:22 unhealthy (attempt 2/2): /health 500 <html>\n"
                + "[Deployment](https://gl.example/api/v1/deployments/7)\n"
                + "[Incident report](https://gl.example/api/v1/deployments/7/incident)");
        assertThat(body.get("attachments")).hasSize(1);
        JsonNode attachment = body.get("attachments").get(0);
        assertThat(attachment.get("fallback").asText()).isEqualTo(ROLLED_BACK.title());
        assertThat(attachment.get("color").asText()).isEqualTo("#F79009");
        assertThat(attachment.get("fields").get(0)).isEqualTo(json("{\"short\": true, \"title\": \"App\", \"value\": \"shop\"}"));
        assertThat(attachment.get("fields")).hasSize(9);
    }

    @Test
    void mattermostEscapesMarkdownInWhatItQuotes() {
        assertThat(MattermostFormat.escape("a *b* [c](d) `e` _f_")).isEqualTo("a \\*b\\* \\[c\\](d) \\`e\\` \\_f\\_");
    }

    @Test
    void theGenericWebhookSendsEveryField() throws Exception {
        assertThat(json(new WebhookFormat().render(ROLLED_BACK))).isEqualTo(json("""
                {"event": "rolled-back", "severity": "warning",
                 "title": "shop/staging: sha-b2 failed and was rolled back to sha-a1",
                 "app": "shop", "environment": "staging", "deploymentId": 7, "version": "sha-b2",
                 "previousVersion": "sha-a1", "triggeredBy": "ci", "status": "rolled_back", "durationSeconds": 95,
                 "failingStep": "health on 10.0.0.5:22: /health answered 500",
                 "reason": "10.0.0.5:22 unhealthy (attempt 2/2): /health 500 <html>",
                 "links": {"deployment": "https://gl.example/api/v1/deployments/7",
                           "incident": "https://gl.example/api/v1/deployments/7/incident"},
                 "figures": null, "at": "2026-03-01T10:15:30Z"}
                """));
        assertThat(Json.MAPPER.readValue(new WebhookFormat().render(ROLLED_BACK), Notice.class)).isEqualTo(ROLLED_BACK);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        assertThat(dev.greenlight.http.RateLimit.retryAfter("3", now)).contains(now.plusSeconds(3));
        assertThat(dev.greenlight.http.RateLimit.retryAfter("Sun, 01 Mar 2026 10:02:00 GMT", now)).contains(now.plusSeconds(120));
        assertThat(dev.greenlight.http.RateLimit.retryAfter("soon", now)).isEmpty();
        assertThat(dev.greenlight.http.RateLimit.retryAfter(null, now)).isEmpty();
    }

    @Test
    void theBackOffDoublesUpToItsCeiling() {
        Backoff b = new Backoff(8, java.time.Duration.ofSeconds(10), java.time.Duration.ofMinutes(5));
        assertThat(b.delay(1)).hasSeconds(10);
        assertThat(b.delay(3)).hasSeconds(40);
        assertThat(b.delay(7)).hasSeconds(300);
        assertThat(b.again(7)).isTrue();
        assertThat(b.again(8)).isFalse();
    }
}
