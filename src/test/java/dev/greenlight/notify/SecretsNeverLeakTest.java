package dev.greenlight.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.testing.LogCapture;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestHttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole rolling pipeline with a rollback, run with known secret values that are offered everywhere they could
 * leak: the deploy command prints every one of them (to stdout and stderr) before the release fails its health check,
 * and the caller's reason quotes the API token. None may appear in a log line, a stored row of any table, an API
 * answer (every read endpoint, the incident report, the documents, the meters), a chat message or a request to GitHub.
 * (Here in {@code notify} for the chat provider stand-in; SSH keys are never encrypted, so there is no passphrase.)
 */
class SecretsNeverLeakTest {
    static final String WEBHOOK_SECRET = "whsec-leak-check-4f9a0c1e7b";
    static final String GITHUB_TOKEN = "ghp_leakCheck0123456789abcdefABCDEF";
    static final String DB_PASSWORD = "dbpass-leak-check-77aa19";
    static final String HOOK_PATH = "/hooks/T0LEAK/B0CHECK/s3cr3tPathPart0042";

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInTheLogTheStoreTheApiTheChatMessagesOrTheRequestsToGithub() throws Exception {
        List<String> github = new CopyOnWriteArrayList<>();
        try (ChatProvider chat = new ChatProvider(); TestHttpServer gh = new TestHttpServer();
             LogCapture log = new LogCapture()) {
            gh.on("/repos/acme/shop", exchange -> TestHttpServer.respond(exchange, 200,
                    "{\"name\":\"shop\",\"owner\":{\"login\":\"acme\"}}"));
            gh.on("/repos/acme/shop/issues", exchange -> {
                github.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                TestHttpServer.respond(exchange, 201, "{\"number\":7,\"title\":\"x\",\"html_url\":"
                        + "\"https://github.example.com/acme/shop/issues/7\"}");
            });
            String hookUrl = chat.hook(HOOK_PATH);
            Map<String, String> env = new HashMap<>(Map.of("GREENLIGHT_WEBHOOK_SECRET", WEBHOOK_SECRET,
                    "GITHUB_TOKEN", GITHUB_TOKEN, "CHAT_URL", hookUrl));
            boolean postgres = !"h2".equalsIgnoreCase(System.getenv("GREENLIGHT_TEST_DB"));
            // the local PostgreSQL trusts loopback, so a password is accepted and must still never show; the
            // in-memory H2 would take it as the new database's password, which the test's own reads do not know
            if (postgres) env.put("GREENLIGHT_DB_PASSWORD", DB_PASSWORD);
            Map<String, String> secrets = new LinkedHashMap<>();
            secrets.put("API token", RollingFixture.TOKEN);
            secrets.put("webhook secret", WEBHOOK_SECRET);
            secrets.put("GitHub token", GITHUB_TOKEN);
            secrets.put("chat webhook URL", hookUrl);
            secrets.put("chat webhook path", HOOK_PATH);
            if (postgres) secrets.put("database password", DB_PASSWORD);

            try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1\nnotify: [team]", env, "",
                    "github: { token-env: GITHUB_TOKEN, api-url: \"" + gh.url() + "\", public-url: \"https://gl.example\" }\n"
                            + "notifications:\n  team: { type: slack, url-env: CHAT_URL }",
                    null, null, UnaryOperator.identity(), "", Map.of("greenlight.notifications.period", "100",
                            "greenlight.incidents.retry-delay", "200ms"))) {
                f.deployed("1.0.0");
                // the path alone is not a value Greenlight reads, so only the whole URL is offered; the path must
                // not show anywhere all the same (a meter or a log line naming the endpoint would show it)
                String said = String.join(" ", secrets.values()).replace(" " + HOOK_PATH, "");
                for (int host = 1; host <= 2; host++) {
                    f.hosts.deployScript(host, "echo \"$1\" > version\necho \"$1\" >> history\n"
                            + "echo 'connecting with " + said + "'\necho 'refused: " + said + "' >&2\n");
                }
                f.hosts.unhealthyWhileRunning(2, "2.0.0");
                var queued = f.app.postJson("/api/v1/deployments", RollingFixture.TOKEN, """
                        {"app":"shop","environment":"staging","version":"2.0.0","reason":"rotating %s"}"""
                        .formatted(RollingFixture.TOKEN));
                assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
                long id = RollingFixture.json(queued.body()).get("id").asLong();
                JsonNode d = f.awaitEnd(id);
                assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
                // the incident issue is opened, and every chat message of both deployments is sent
                await().atMost(Duration.ofSeconds(30)).until(() -> !github.isEmpty()
                        && Sql.count(f.db, "select count(*) from notifications where status <> 'sent'") == 0
                        && chat.delivered(HOOK_PATH).size() >= 4);
                // the secrets were offered: the stored output holds the mask where the deploy command printed them
                assertThat(d.toString()).contains("connecting with ***");

                Map<String, String> seen = new LinkedHashMap<>();
                seen.put("API answers", apiAnswers(f, id));
                seen.put("database", everyTable(f));
                // what the messages say (the provider's own request line is, of course, the URL)
                seen.put("chat messages", chat.requests.stream().map(r -> r.body().toString()).toList().toString());
                seen.put("requests to GitHub", String.join("\n", github));
                seen.put("log", log.text());
                assertThat(seen.get("log")).contains("deployment " + id);
                assertThat(seen.get("API answers")).contains("rolled_back").contains("rotating ***");
                for (var where : seen.entrySet()) {
                    for (var secret : secrets.entrySet()) {
                        assertThat(where.getValue()).as("the %s in the %s", secret.getKey(), where.getKey())
                                .doesNotContain(secret.getValue());
                    }
                }
            }
        }
    }

    /** Every read of the API, as the token allowed on the environment sees it, and the management endpoints. */
    private static String apiAnswers(RollingFixture f, long id) throws Exception {
        StringBuilder all = new StringBuilder();
        for (String path : List.of("/api/v1/deployments", "/api/v1/deployments/" + id,
                "/api/v1/deployments/" + id + "/incident", "/api/v1/environments", "/api/v1/audit",
                "/api/v1/audit?format=markdown", "/api/v1/audit?format=csv", "/api/v1/audit/verify",
                "/api/v1/metrics", "/api/v1/notifications", "/api/v1/openapi.json")) {
            HttpResponse<String> r = f.app.get(path, RollingFixture.TOKEN);
            assertThat(r.statusCode()).as(path + ": " + r.body()).isLessThan(400);
            all.append(path).append('\n').append(r.headers().map()).append('\n').append(r.body()).append('\n');
        }
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/observe/metrics", "/observe/health")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + f.app.managementPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
            all.append(path).append('\n').append(r.body()).append('\n');
        }
        return all.toString();
    }

    /** Every row of every table of the service's schema. */
    private static String everyTable(RollingFixture f) {
        List<String> tables = new ArrayList<>();
        String schema = f.db.schema();
        for (Map<String, Object> row : Sql.rows(f.db, "select table_name from information_schema.tables where "
                + (schema == null ? "table_schema = 'public'" : "table_schema = ?")
                + " and table_type in ('BASE TABLE', 'TABLE')", schema == null ? new Object[0] : new Object[] {schema})) {
            tables.add((String) row.get("table_name"));
        }
        assertThat(tables).contains("deployments", "deployment_steps", "audit_log", "notifications", "incident_reports");
        StringBuilder all = new StringBuilder();
        for (String table : tables) all.append(table).append(": ").append(Sql.table(f.db, table)).append('\n');
        return all.toString();
    }
}
