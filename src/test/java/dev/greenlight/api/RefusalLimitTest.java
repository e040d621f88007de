package dev.greenlight.api;

import static dev.greenlight.testing.TestConfig.DEPLOYER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service behind a reverse proxy (127.0.0.1 is trusted, as a proxy on the same machine would be): the audit
 * trail records the client the proxy forwards for, and refusals of unknown callers are limited per client.
 */
class RefusalLimitTest {
    @TempDir
    Path dir;

    static Map<String, String> settings(String limit) {
        return Map.of("greenlight.http.trusted-proxies", "127.0.0.1", "greenlight.http.refusal-limit", limit,
                "greenlight.http.refusal-window", "1h", "greenlight.dispatch.period", "3600000",
                "camel.server.maxBodySize", "4096");
    }

    static HttpRequest.Builder from(TestGreenlight app, String path, String client) {
        return HttpRequest.newBuilder(app.uri(path)).header("X-Forwarded-For", client);
    }

    static HttpResponse<String> list(TestGreenlight app, String client, String token) {
        return app.send(from(app, "/api/v1/deployments", client).header("Authorization", "Bearer " + token).GET().build());
    }

    static HttpResponse<String> badSignature(TestGreenlight app, String client) {
        return app.send(from(app, "/webhooks/github", client).header("Content-Type", "application/json")
                .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", "d-" + System.nanoTime())
                .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    }

    static long rowsFrom(TestDatabase db, String client) {
        return Sql.count(db, "select count(*) from audit_log where source = ?", client);
    }

    @Test
    void theForwardedClientIsRecordedFromATrustedProxyAndTheHeaderIgnoredFromAnyoneElse() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                     settings("20"))) {
            String body = "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v1\"}";
            HttpResponse<String> proxied = app.send(from(app, "/api/v1/deployments", "198.51.100.20")
                    .header("Authorization", "Bearer " + DEPLOYER_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(proxied.statusCode()).as(proxied.body()).isEqualTo(202);
            assertThat(sourceOfQueued(db, proxied)).isEqualTo("198.51.100.20");

            // the client wrote an address of its own choosing; the proxy appended the one it saw
            HttpResponse<String> spoofed = app.send(from(app, "/api/v1/deployments", "127.0.0.1, 198.51.100.99, 198.51.100.21")
                    .header("Authorization", "Bearer " + DEPLOYER_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(sourceOfQueued(db, spoofed)).isEqualTo("198.51.100.21");

            // straight from 127.0.0.2, which is no trusted proxy: its header says nothing
            String raw = rawRequest(app.port(), "POST /api/v1/deployments HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + DEPLOYER_TOKEN + "\r\nContent-Type: application/json\r\n"
                    + "X-Forwarded-For: 198.51.100.22\r\nContent-Length: " + body.length() + "\r\n"
                    + "\r\n" + body);
            assertThat(raw).startsWith("HTTP/1.0 202"); // HTTP/1.0: not chunked, closed after the answer
            long id = Json.MAPPER.readTree(raw.substring(raw.indexOf("\r\n\r\n") + 4)).path("id").asLong();
            assertThat(Sql.rows(db, "select source from audit_log where deployment_id = ?", id))
                    .containsExactly(Map.of("source", "127.0.0.2"));
        }
    }

    @Test
    void refusalsOfAClientAreAuditedUpToTheLimitThenAnswered429AndSummedUpInOneEntry() throws Exception {
        String attacker = "203.0.113.5";
        try (TestDatabase db = TestDatabase.create()) {
            try (TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                    settings("3"))) {
                for (int i = 0; i < 3; i++) {
                    assertThat(list(app, attacker, "guess-" + i).statusCode()).isEqualTo(401);
                }
                assertThat(rowsFrom(db, attacker)).isEqualTo(3);

                HttpResponse<String> limited = list(app, attacker, "guess-4");
                assertThat(limited.statusCode()).isEqualTo(429);
                long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
                assertThat(retryAfter).isBetween(1L, 3600L);
                JsonNode error = Json.MAPPER.readTree(limited.body());
                assertThat(DeploymentApiTest.fieldNames(error)).containsExactly("error");
                assertThat(error.path("error").asText()).contains("too many refused requests from " + attacker)
                        .contains("Retry-After");
                // while blocked, a valid token does not help, and the webhook is the same door
                assertThat(list(app, attacker, DEPLOYER_TOKEN).statusCode()).isEqualTo(429);
                HttpResponse<String> webhook = badSignature(app, attacker);
                assertThat(webhook.statusCode()).isEqualTo(429);
                assertThat(webhook.headers().firstValue("Retry-After")).isPresent();
                assertThat(rowsFrom(db, attacker)).as("nothing written one by one past the limit").isEqualTo(3);

                // other clients are not affected
                assertThat(list(app, "198.51.100.7", DEPLOYER_TOKEN).statusCode()).isEqualTo(200);
                // bad webhook signatures count the same way
                String other = "203.0.113.6";
                for (int i = 0; i < 3; i++) assertThat(badSignature(app, other).statusCode()).isEqualTo(401);
                assertThat(badSignature(app, other).statusCode()).isEqualTo(429);
                assertThat(Sql.count(db, "select count(*) from audit_log where source = ? and action = 'webhook.refused'",
                        other)).isEqualTo(3);

                // what the HTTP server refuses before any route (a body over the limit) counts the same way
                String large = "203.0.113.8";
                for (int i = 0; i < 5; i++) {
                    HttpResponse<String> r = app.send(from(app, "/webhooks/github", large)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"x\":\"" + "a".repeat(8000) + "\"}")).build());
                    assertThat(r.statusCode()).isEqualTo(413);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> rowsFrom(db, large) == 3);
            }
            // the windows are still open when the service stops: what was counted is written then
            List<Map<String, Object>> summaries = Sql.rows(db, "select source, outcome, detail from audit_log "
                    + "where action = 'http.refusals_limited' order by source");
            assertThat(summaries).extracting(r -> r.get("source")).containsExactly(attacker, "203.0.113.6", "203.0.113.8");
            assertThat(rowsFrom(db, "203.0.113.8")).as("3 one by one and the summary of 2").isEqualTo(4);
            assertThat(summaries).allSatisfy(r -> assertThat(r.get("outcome")).isEqualTo("rate_limited"));
            assertThat((String) summaries.get(0).get("detail")).startsWith("3 more refused or blocked requests from "
                    + attacker).contains("(6 refused in all; the first 3 are audited one by one)");
        }
    }

    private static String sourceOfQueued(TestDatabase db, HttpResponse<String> queued) throws IOException {
        long id = Json.MAPPER.readTree(queued.body()).path("id").asLong();
        return (String) Sql.rows(db, "select source from audit_log where deployment_id = ? and action = 'deployment.queued'",
                id).get(0).get("source");
    }

    /** Sends a request from 127.0.0.2 (a loopback address the service does not trust) and returns the raw answer. */
    private static String rawRequest(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress("127.0.0.2", 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
