package dev.greenlight.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.greenlight.deploy.EventOutbox;
import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.http.Json;
import dev.greenlight.testing.TestHosts;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incident reports of real rolling rollbacks (embedded SSH hosts, the service in-process, PostgreSQL): the Markdown,
 * its API, and the GitHub issue against a local stand-in for GitHub's REST API that checks every request.
 */
class IncidentReportTest {
    private static final String GITHUB_TOKEN = "ghp_incidentTestToken0123456789";
    /** Host 2 fails to install 2.0.0, saying why on stderr (and quoting the API token, which must never show). */
    private static final String FAILING_DEPLOY = "if [ \"$1\" = 2.0.0 ]; then echo 'pulling shop:2.0.0'; "
            + "echo 'registry said: token " + RollingFixture.TOKEN + " has no pull access | see ```docs``` @octocat' >&2; "
            + "echo 'pull failed: manifest unknown' >&2; exit 3; fi\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT;

    @TempDir
    Path dir;

    @Test
    void aRolledBackDeploymentHasAMarkdownReportOfWhatHappenedServedByTheApi() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.deployScript(2, FAILING_DEPLOY);

            long id = f.deploy("2.0.0");
            JsonNode d = f.awaitEnd(id);
            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            HttpResponse<String> r = awaitReport(f, id);

            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/markdown; charset=utf-8");
            String md = r.body();
            String host2 = f.hosts.hostList().get(1);
            assertThat(md).startsWith("# Incident: shop/staging 2.0.0 rolled back\n")
                    .contains("| Version | 2.0.0 |", "| Previous version | 1.0.0 |", "| Strategy | rolling |",
                            "| Trigger | manual |", "| Triggered by | ci |")
                    // the trigger: the deployment's failure and the failing step's evidence
                    .contains("## What triggered the rollback\n\ndeploy on " + host2 + " exited with status 3")
                    .contains("The failing step: **deploy** on " + host2 + ", attempt 1")
                    .contains("exit code 3")
                    .contains("pull failed: manifest unknown")
                    // what the rollback did, and where things are now
                    .contains("- " + f.hosts.hostList().get(0) + ": back on 1.0.0 (rollback, rollback-health succeeded)")
                    .contains("- " + host2 + ": back on 1.0.0")
                    .contains("no backup belongs to this deployment; nothing was restored")
                    .contains("- Status: **rolled_back**", "- Live version: 1.0.0", "- Environment locked: no")
                    .contains("| greenlight | deployment.rolling\\_back | rolling\\_back |");
            assertThat(md).as("secrets stay masked").doesNotContain(RollingFixture.TOKEN);
            // the output is quoted in a fence its own backticks cannot close, and mentions nobody outside it
            assertThat(md).contains("````text\npulling shop:2.0.0\n");
            // every step is a row of the timeline, in order
            List<JsonNode> steps = StreamSupport.stream(d.get("steps").spliterator(), false).toList();
            List<String> rows = md.lines().filter(l -> l.matches("\\| \\d+ \\| .*")).toList();
            assertThat(rows).hasSize(steps.size());
            for (int i = 0; i < steps.size(); i++) {
                JsonNode s = steps.get(i);
                assertThat(rows.get(i)).startsWith("| " + (i + 1) + " | " + s.get("stage").asText() + " | "
                        + s.get("host").asText() + " | " + s.get("attempt").asInt() + " | " + s.get("status").asText()
                        + " | ");
            }
            assertThat(rows).anyMatch(row -> row.contains("| deploy | " + host2 + " | 1 | failed |")
                    && row.contains("| 3 | exited with status 3 |"));

            // the deployment links to its report; one that succeeded has none
            assertThat(f.deployment(id).get("incidentUrl").asText()).isEqualTo("/api/v1/deployments/" + id + "/incident");
            long first = id - 1;
            assertThat(f.deployment(first).has("incidentUrl")).isFalse();
            HttpResponse<String> none = f.app.get("/api/v1/deployments/" + first + "/incident", RollingFixture.TOKEN);
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(none.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(RollingFixture.json(none.body()).get("error").asText()).contains("no incident report");
            // a caller who cannot read the deployment cannot read its report either
            assertThat(f.app.get("/api/v1/deployments/" + id + "/incident", "wrong-token").statusCode())
                    .isEqualTo(f.app.get("/api/v1/deployments/" + id, "wrong-token").statusCode()).isEqualTo(401);
            assertThat(f.app.get("/api/v1/deployments/999999/incident", RollingFixture.TOKEN).statusCode()).isEqualTo(404);
            // Markdown is what it answers: asked for it by name it is served, asked for JSON only it says so
            assertThat(withAccept(f, id, "text/markdown").statusCode()).isEqualTo(200);
            HttpResponse<String> json = withAccept(f, id, "application/json");
            assertThat(json.statusCode()).isEqualTo(406);
            assertThat(json.body()).contains("text/markdown");
            assertThat(f.app.get("/api/v1/deployments/x/incident", RollingFixture.TOKEN).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void aFailedRollbackIsReportedWithTheLockAndWhatAPersonMustDo() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.deployScript(2, "echo 'disk full' >&2; exit 1\n"); // host 2 can take no version any more

            long id = f.deploy("2.0.0");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rollback_failed");
            String md = awaitReport(f, id).body();

            String host2 = f.hosts.hostList().get(1);
            assertThat(md).startsWith("# Incident: shop/staging 2.0.0 ROLLBACK FAILED\n")
                    .contains("- " + f.hosts.hostList().get(0) + ": back on 1.0.0")
                    .contains("- " + host2 + ": **rollback failed**: exited with status 1")
                    .contains("- Status: **rollback_failed**")
                    .contains("- Environment locked: **yes**, by the failed rollback of deployment " + id)
                    .contains("`POST /api/v1/environments/shop/staging/unlock`");
        }
    }

    @Test
    void aRollbackThatBreaksBeforeItsEndStillGetsItsReportWhenTheRunEnds() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 2", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.unhealthyWhileRunning(2, "2.0.0");
            AdviceWith.adviceWith(f.app.context(), "rollback", a -> a.weaveById("rollback-finish").replace()
                    .throwException(new IllegalStateException("rollback bookkeeping broke")));

            long id = f.deploy("2.0.0");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rollback_failed");

            String md = awaitReport(f, id).body();
            assertThat(md).startsWith("# Incident: shop/staging 2.0.0 ROLLBACK FAILED\n")
                    .contains(f.hosts.hostList().get(1) + " unhealthy (attempt 2/2)")
                    .contains("- Environment locked: **yes**, by the failed rollback of deployment " + id);
            // the first deployment succeeded: no report for it
            assertThat(f.app.get("/api/v1/deployments/" + (id - 1) + "/incident", RollingFixture.TOKEN).statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void theIssueWaitsWhileGithubIsDownAndIsOpenedOnceWithItsLabelWhenItIsBack() throws Exception {
        AtomicBoolean githubUp = new AtomicBoolean(false);
        List<String> refused = new CopyOnWriteArrayList<>();
        List<Received> issues = new CopyOnWriteArrayList<>();
        try (TestHttpServer github = new TestHttpServer()) {
            github.on("/repos/acme/shop", exchange -> {
                if (!up(githubUp, refused, exchange)) return;
                TestHttpServer.respond(exchange, 200, "{\"name\":\"shop\",\"owner\":{\"login\":\"acme\"}}");
            }).on("/repos/acme/shop/issues", exchange -> {
                if (!up(githubUp, refused, exchange)) return;
                issues.add(new Received(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Authorization"),
                        Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes())));
                TestHttpServer.respond(exchange, 201, "{\"number\":7,\"title\":\"x\",\"html_url\":"
                        + "\"https://github.example.com/acme/shop/issues/7\"}");
            });
            // incident issues only: the deployments mirror (on by default) has its own tests
            String githubBlock = "github: { token-env: GITHUB_TOKEN, api-url: \"" + github.url() + "\", deployments: false }";
            try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of("GITHUB_TOKEN", GITHUB_TOKEN), "",
                    githubBlock, null, null, java.util.function.UnaryOperator.identity(), "",
                    Map.of("greenlight.incidents.retry-delay", "200ms"))) {
                EventOutbox outbox = f.app.bean("eventOutbox", EventOutbox.class);
                f.deployed("1.0.0");
                f.hosts.unhealthyWhileRunning(2, "2.0.0");

                long id = f.deploy("2.0.0");
                assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rolled_back");
                String report = awaitReport(f, id).body();

                // GitHub answers 503: tried again and again, and the event stays in the outbox
                await().atMost(Duration.ofSeconds(20)).until(() -> refused.size() >= 3);
                assertThat(issues).isEmpty();
                assertThat(outbox.unsent()).isEqualTo(1);
                assertThat(issueNumber(f, id)).isNull();

                githubUp.set(true);
                await().atMost(Duration.ofSeconds(30)).until(() -> issues.size() == 1);
                Received issue = issues.get(0);
                assertThat(issue.method()).isEqualTo("POST");
                assertThat(issue.authorization()).isEqualTo("token " + GITHUB_TOKEN);
                assertThat(issue.body().get("title").asText()).isEqualTo("Incident: shop/staging 2.0.0 rolled back");
                assertThat(issue.body().get("body").asText()).isEqualTo(report);
                assertThat(issue.body().get("labels")).hasSize(1);
                assertThat(issue.body().get("labels").get(0).asText()).isEqualTo("incident");
                assertThat(report).contains(f.hosts.hostList().get(1) + " unhealthy (attempt 2/2)");

                await().atMost(Duration.ofSeconds(5)).until(() -> outbox.unsent() == 0);
                assertThat(issueNumber(f, id)).isEqualTo(7);
                Thread.sleep(1000); // several relay passes (every 300 ms in tests): the issue is not opened again
                assertThat(issues).hasSize(1);
                assertThat(github.requests()).filteredOn(x -> x.startsWith("POST")).allMatch(x -> x.equals("POST /repos/acme/shop/issues"));
            }
        }
    }

    @Test
    void aBlueGreenDeploymentsColoursBackupAndSetAsideDumpAreReported() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            f.hosts.unhealthyWhileRunning(1, "2.0.0");
            long id = f.deploy("2.0.0");
            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("rolled_back");
            IncidentReports reports = f.app.bean("incidentReports", IncidentReports.class);
            assertThat(reports.render(id).markdown()).doesNotContain("| Colour |");

            // what a blue-green rollback records (migration V8's columns), written onto this deployment
            Instant backupAt = Instant.parse("2026-12-01T10:00:00Z");
            Instant switchedAt = Instant.parse("2026-12-01T10:01:00Z");
            Instant setAsideAt = Instant.parse("2026-12-01T10:03:30Z");
            try (Connection c = f.db.connect(); Statement s = c.createStatement()) {
                try (PreparedStatement u = c.prepareStatement("update deployments set strategy = 'blue-green', "
                        + "color = 'green', previous_color = 'blue', backup_name = ?, backup_at = ?, switched_at = ?, "
                        + "set_aside_name = ?, set_aside_at = ? where id = ?")) {
                    u.setString(1, "shop-staging-" + id + "-20261201T100000Z");
                    u.setTimestamp(2, Timestamp.from(backupAt));
                    u.setTimestamp(3, Timestamp.from(switchedAt));
                    u.setString(4, "shop-staging-" + id + "-20261201T100330Z");
                    u.setTimestamp(5, Timestamp.from(setAsideAt));
                    u.setLong(6, id);
                    u.executeUpdate();
                }
                s.execute("update environment_state set live_color = 'blue'");
            }
            f.app.bean("stepStore", StepStore.class).record(id, "restore", f.hosts.hostList().get(0), 1, true,
                    "pg_restore of shop-staging-" + id + "-20261201T100000Z");

            String md = reports.render(id).markdown();
            assertThat(md).contains("| Colour | green (live before: blue) |")
                    .contains("- Database backup: `shop-staging-" + id + "-20261201T100000Z`, taken 2026-12-01 10:00:00Z.")
                    .contains("- Set aside before restoring: `shop-staging-" + id + "-20261201T100330Z`, taken "
                            + "2026-12-01 10:03:30Z. The writes made from 2026-12-01 10:00:00Z to 2026-12-01 10:03:30Z "
                            + "are no longer in the live database; they are in this dump.")
                    .contains("- Restore of `shop-staging-" + id + "-20261201T100000Z`: **succeeded**")
                    .contains("- Live version: 1.0.0 (colour blue)")
                    .contains("Writes set aside in `shop-staging-" + id + "-20261201T100330Z` must be reconciled");
        }
    }

    record Received(String method, String authorization, JsonNode body) {
    }

    /** The stand-in's switch: while GitHub is "down" every request gets 503 and is counted. */
    private static boolean up(AtomicBoolean githubUp, List<String> refused, HttpExchange exchange) throws IOException {
        if (githubUp.get()) return true;
        refused.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
        exchange.getRequestBody().readAllBytes();
        TestHttpServer.respond(exchange, 503, "");
        return false;
    }

    /** The report is written right after the rollback's status change: wait for it. */
    private static HttpResponse<String> awaitReport(RollingFixture f, long id) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                f.app.get("/api/v1/deployments/" + id + "/incident", RollingFixture.TOKEN).statusCode() == 200);
        HttpResponse<String> r = f.app.get("/api/v1/deployments/" + id + "/incident", RollingFixture.TOKEN);
        assertThat(r.body().getBytes(StandardCharsets.UTF_8)).isNotEmpty();
        return r;
    }

    private static HttpResponse<String> withAccept(RollingFixture f, long id, String accept) {
        return f.app.send(java.net.http.HttpRequest.newBuilder(f.app.uri("/api/v1/deployments/" + id + "/incident"))
                .header("Authorization", "Bearer " + RollingFixture.TOKEN).header("Accept", accept).GET().build());
    }

    private static Integer issueNumber(RollingFixture f, long id) throws Exception {
        try (Connection c = f.db.connect();
             PreparedStatement q = c.prepareStatement("select issue_number from incident_reports where deployment_id = ?")) {
            q.setLong(1, id);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                int n = rs.getInt(1);
                return rs.wasNull() ? null : n;
            }
        }
    }
}
