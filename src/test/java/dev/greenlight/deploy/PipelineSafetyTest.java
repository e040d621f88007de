package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.TestHosts;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Nothing a webhook or caller sends can reach a shell unquoted, and no secret reaches a step record or a log. */
class PipelineSafetyTest {
    private static final String WEBHOOK_SECRET = "whsec-7d1f0c9e-super-secret";

    @TempDir
    Path dir;

    @Test
    void releaseTaggedWithAShellInjectionIsRefusedAndRunsNothing() throws Exception {
        Path pwned = dir.resolve("pwned");
        try (RollingFixture f = RollingFixture.start(dir, 2, "trigger: { release: published }\nbatch: 2",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", WEBHOOK_SECRET))) {
            var refused = release(f, "v1;touch " + pwned);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
            assertThat(refused.body()).contains("not a valid image tag");
            assertThat(f.app.get("/api/v1/deployments", RollingFixture.TOKEN).body()).isEqualTo("{\"deployments\":[]}");
            var api = f.app.postJson("/api/v1/deployments", RollingFixture.TOKEN,
                    "{\"app\":\"shop\",\"environment\":\"staging\",\"version\":\"$(touch " + pwned + ")\"}");
            assertThat(api.statusCode()).isEqualTo(422);

            var accepted = release(f, "v1.2.0");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            long id = RollingFixture.json(accepted.body()).get("deployments").get(0).get("id").asLong();
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");

            assertThat(pwned).doesNotExist();
            assertThat(f.hosts.ssh(1).commands()).as("the pre-check's probe, then the quoted deploy").containsExactly("true", "sh ./deploy.sh 'v1.2.0'");
            assertThat(f.hosts.version(2)).isEqualTo("v1.2.0");
        }
    }

    @Test
    void secretsNeverAppearInStepOutputOrLogs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", WEBHOOK_SECRET))) {
            f.hosts.deployScript(1, "echo \"using token " + WEBHOOK_SECRET + "\"\n"
                    + "if [ \"$1\" = 2.0.0 ]; then echo \"refused " + WEBHOOK_SECRET + "\" >&2; exit 4; fi\n"
                    + TestHosts.DEFAULT_DEPLOY_SCRIPT);
            f.deployed("1.0.0");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rolled_back");
            String everything = d.toString() + f.app.get("/api/v1/audit", RollingFixture.TOKEN).body();
            assertThat(everything).contains("using token ***").contains("refused ***").doesNotContain(WEBHOOK_SECRET);
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).isNotEmpty();
        for (ILoggingEvent e : logs.list) {
            String text = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            assertThat(text).doesNotContain(WEBHOOK_SECRET);
        }
    }

    private static java.net.http.HttpResponse<String> release(RollingFixture f, String tag) throws Exception {
        ObjectNode payload = (ObjectNode) Json.MAPPER.readTree(
                PipelineSafetyTest.class.getResourceAsStream("/github/release.published.json"));
        ((ObjectNode) payload.get("repository")).put("full_name", "acme/shop");
        ((ObjectNode) payload.get("release")).put("tag_name", tag);
        byte[] body = Json.MAPPER.writeValueAsBytes(payload);
        return f.app.send(HttpRequest.newBuilder(f.app.uri("/webhooks/github"))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", "release")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", GithubDelivery.sign(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }
}
