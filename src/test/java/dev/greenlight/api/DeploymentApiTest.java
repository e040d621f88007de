package dev.greenlight.api;

import static dev.greenlight.testing.TestConfig.CI_TOKEN;
import static dev.greenlight.testing.TestConfig.DEPLOYER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.deploy.DeploymentFinisher;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.Dispatcher;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.incident.IncidentReportStore;
import dev.greenlight.incident.IncidentReports;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The authenticated API against the real service. The dispatcher's own routes are stopped: where a test needs a
 * deployment running or finished it drives the queue through the service's beans, so what it reads is what it made.
 */
class DeploymentApiTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestDatabase db;
    static TestGreenlight app;

    @BeforeAll
    static void start() {
        db = TestDatabase.create();
        app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                Map.of("greenlight.dispatch.period", "3600000"));
        app.stopBackgroundRoutes();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) app.close();
        if (db != null) db.close();
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return MAPPER.readTree(r.body());
    }

    static HttpResponse<String> create(String token, String app_, String environment, String version) {
        return app.postJson("/api/v1/deployments", token, """
                {"app": "%s", "environment": "%s", "version": "%s", "reason": "test"}""".formatted(app_, environment, version));
    }

    static long created(String app_, String environment, String version) throws IOException {
        HttpResponse<String> r = create(DEPLOYER_TOKEN, app_, environment, version);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).path("id").asLong();
    }

    /**
     * Sends a request that must be refused: answered with {@code status} and a JSON body holding only an error
     * message, one audit entry added, and the deployments table exactly as it was.
     */
    static JsonNode assertRefused(HttpRequest request, int status) throws IOException {
        List<Map<String, Object>> deploymentsBefore = Sql.table(db, "deployments");
        long auditBefore = Sql.count(db, "select count(*) from audit_log");

        HttpResponse<String> r = app.send(request);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(fieldNames(body)).containsExactly("error");
        assertThat(body.path("error").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(Sql.table(db, "deployments")).as("no half record").isEqualTo(deploymentsBefore);
        assertThat(Sql.count(db, "select count(*) from audit_log")).as("the refusal is audited").isEqualTo(auditBefore + 1);
        return body;
    }

    static Map<String, Object> lastAudit() {
        return Sql.rows(db, "select actor, action, outcome, app, environment, version, detail from audit_log "
                + "order by id desc limit 1").get(0);
    }

    static HttpRequest post(String token, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.uri("/api/v1/deployments"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (token != null) b.header("Authorization", token);
        return b.build();
    }

    static HttpRequest post(String token, String json) {
        return post(token == null ? null : "Bearer " + token, "application/json", json);
    }

    static HttpRequest get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.uri(path)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b.build();
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    // ---- POST /api/v1/deployments --------------------------------------------------------------------------

    @Test
    void aDeploymentIsQueuedWithTheTokensNameAsActor() throws IOException {
        HttpResponse<String> r = create(DEPLOYER_TOKEN, "shop", "qa", "v1.2.3-rc_1");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode d = json(r);
        assertThat(d.path("app").asText()).isEqualTo("shop");
        assertThat(d.path("environment").asText()).isEqualTo("qa");
        assertThat(d.path("version").asText()).isEqualTo("v1.2.3-rc_1");
        assertThat(d.path("status").asText()).isEqualTo("queued");
        assertThat(d.path("trigger").asText()).isEqualTo("manual");
        assertThat(d.path("triggeredBy").asText()).isEqualTo("deployer");
        assertThat(d.path("reason").asText()).isEqualTo("test");
        long id = d.path("id").asLong();

        assertThat(Sql.rows(db, "select app, environment, version, trigger_kind, triggered_by, strategy from deployments "
                + "where id = ?", id)).containsExactly(Map.of("app", "shop", "environment", "qa", "version",
                "v1.2.3-rc_1", "trigger_kind", "manual", "triggered_by", "deployer", "strategy", "rolling"));
        assertThat(Sql.rows(db, "select actor, outcome, app, environment, version from audit_log where deployment_id = ? "
                + "and action = 'deployment.queued'", id)).containsExactly(Map.of("actor", "deployer", "outcome",
                "accepted", "app", "shop", "environment", "qa", "version", "v1.2.3-rc_1"));
    }

    @Test
    void aVersionOfTheLongestAllowedLengthIsAccepted() throws IOException {
        String longest = "a" + "b".repeat(127);
        HttpResponse<String> r = create(DEPLOYER_TOKEN, "shop", "qa", longest);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).path("version").asText()).isEqualTo(longest);
    }

    @Test
    void withoutATokenTheCallerIsUnauthorized() throws IOException {
        HttpRequest request = post(null, "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v1\"}");
        assertRefused(request, 401);
        HttpResponse<String> again = app.send(request);
        assertThat(again.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"greenlight\"");
        assertThat(lastAudit()).containsEntry("actor", "anonymous").containsEntry("action", "api.refused")
                .containsEntry("outcome", "unauthorized");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer not-a-token", "Bearer ", "Basic ZGVwbG95ZXI6eA==", "tok-deployer-7f3a9c",
            "Bearer tok-deployer-7f3a9c-and-more"})
    void anUnknownTokenIsUnauthorized(String authorization) throws IOException {
        HttpRequest request = post(authorization, "application/json", "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v1\"}");
        assertRefused(request, 401);
        assertThat(app.send(request).headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"greenlight\"");
        assertThat(lastAudit()).containsEntry("outcome", "unauthorized");
        assertThat((String) lastAudit().get("detail")).doesNotContain("tok-deployer-7f3a9c");
    }

    @Test
    void aTokenMayNotDeployOutsideItsEnvironments() throws IOException {
        JsonNode body = assertRefused(post(CI_TOKEN, "{\"app\":\"shop\",\"environment\":\"production\",\"version\":\"v1\"}"), 403);
        assertThat(body.path("error").asText()).contains("ci").contains("shop/production");
        assertThat(lastAudit()).containsEntry("actor", "ci").containsEntry("action", "deployment.refused")
                .containsEntry("outcome", "forbidden").containsEntry("environment", "production");

        // while the environment it is allowed is fine
        HttpResponse<String> ok = create(CI_TOKEN, "shop", "staging", "v1");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
        assertThat(Sql.rows(db, "select triggered_by from deployments where id = ?", MAPPER.readTree(ok.body()).path("id").asLong()))
                .containsExactly(Map.of("triggered_by", "ci"));
    }

    @Test
    void anUnknownAppOrEnvironmentIsNotFound() throws IOException {
        JsonNode app_ = assertRefused(post(DEPLOYER_TOKEN, "{\"app\":\"nope\",\"environment\":\"qa\",\"version\":\"v1\"}"), 404);
        assertThat(app_.path("error").asText()).isEqualTo("unknown app nope");
        assertThat(lastAudit()).containsEntry("actor", "deployer").containsEntry("outcome", "not_found")
                .containsEntry("app", "nope");

        JsonNode env = assertRefused(post(DEPLOYER_TOKEN, "{\"app\":\"shop\",\"environment\":\"moon\",\"version\":\"v1\"}"), 404);
        assertThat(env.path("error").asText()).isEqualTo("app shop has no environment moon");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1;touch /tmp/pwned", "", "-v1", ".v1", "v 1", "v1/2", "v1:latest", "$(id)", "ü1",
            "a12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678"})
    void anInvalidVersionIsUnprocessable(String version) throws IOException {
        String body = MAPPER.writeValueAsString(Map.of("app", "shop", "environment", "qa", "version", version));
        JsonNode error = assertRefused(post(DEPLOYER_TOKEN, body), 422);
        assertThat(error.path("error").asText()).contains("not a valid image tag");
        assertThat(lastAudit()).containsEntry("actor", "deployer").containsEntry("action", "deployment.refused")
                .containsEntry("outcome", "refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"app\": \"shop\",", "not json", "[1, 2]", "\"shop\"", "null", "",
            "{\"environment\":\"qa\",\"version\":\"v1\"}", "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":1}",
            "{\"app\":[\"shop\"],\"environment\":\"qa\",\"version\":\"v1\"}"})
    void aMalformedBodyIsABadRequest(String body) throws IOException {
        assertRefused(post(DEPLOYER_TOKEN, body), 400);
        assertThat(lastAudit()).containsEntry("actor", "deployer").containsEntry("outcome", "bad_request");
    }

    @Test
    void aBodyThatIsNotJsonIsAnUnsupportedMediaType() throws IOException {
        String body = "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v1\"}";
        assertRefused(post("Bearer " + DEPLOYER_TOKEN, "text/plain", body), 415);
        assertRefused(post("Bearer " + DEPLOYER_TOKEN, "application/x-www-form-urlencoded", "app=shop&environment=qa&version=v1"), 415);
    }

    @Test
    void theTokenIsCheckedBeforeTheBodyIsRead() throws IOException {
        JsonNode body = assertRefused(post(null, "application/json", "{broken"), 401);
        assertThat(body.path("error").asText()).contains("Bearer");
    }

    // ---- GET /api/v1/deployments ---------------------------------------------------------------------------

    @Test
    void everyReadNeedsAToken() throws IOException {
        for (String path : List.of("/api/v1/deployments", "/api/v1/deployments/1", "/api/v1/environments", "/api/v1/audit")) {
            HttpResponse<String> r = app.get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"greenlight\"");
            assertThat(fieldNames(json(r))).containsExactly("error");
            assertThat(app.get(path, "wrong").statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void deploymentsAreListedNewestFirstAndFiltered() throws IOException {
        long blog1 = created("blog", "staging", "b1");
        long blog2 = created("blog", "staging", "b2");
        long shopQa = created("shop", "qa", "s1");

        JsonNode blog = json(app.get("/api/v1/deployments?app=blog", DEPLOYER_TOKEN)).path("deployments");
        assertThat(list(blog)).extracting(d -> d.path("app").asText()).containsOnly("blog");
        assertThat(list(blog)).extracting(d -> d.path("id").asLong()).containsSubsequence(blog2, blog1);
        assertThat(list(blog)).extracting(d -> d.path("id").asLong()).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        JsonNode qa = json(app.get("/api/v1/deployments?app=shop&environment=qa", DEPLOYER_TOKEN)).path("deployments");
        assertThat(list(qa)).extracting(d -> d.path("environment").asText()).containsOnly("qa");
        assertThat(list(qa)).extracting(d -> d.path("id").asLong()).contains(shopQa).doesNotContain(blog1, blog2);

        JsonNode one = json(app.get("/api/v1/deployments?app=blog&limit=1", DEPLOYER_TOKEN)).path("deployments");
        assertThat(list(one)).extracting(d -> d.path("id").asLong()).containsExactly(
                Sql.count(db, "select max(id) from deployments where app = 'blog'"));

        JsonNode queued = json(app.get("/api/v1/deployments?app=blog&status=queued", DEPLOYER_TOKEN)).path("deployments");
        assertThat(list(queued)).allSatisfy(d -> assertThat(d.path("status").asText()).isEqualTo("queued"));
        assertThat(list(queued)).extracting(d -> d.path("id").asLong()).contains(blog1, blog2);
        JsonNode succeeded = json(app.get("/api/v1/deployments?app=blog&status=succeeded", DEPLOYER_TOKEN)).path("deployments");
        assertThat(list(succeeded)).extracting(d -> d.path("id").asLong()).doesNotContain(blog1, blog2);
    }

    @Test
    void everyStatusCanBeFilteredOnAndOthersAreABadRequest() throws IOException {
        assertThat(Arrays.stream(DeploymentStatus.values()).map(DeploymentStatus::key)).containsExactly(
                "queued", "running", "succeeded", "failed", "rolling_back", "rolled_back", "rollback_failed", "cancelled",
                "awaiting_approval", "awaiting_promotion");
        for (DeploymentStatus s : DeploymentStatus.values()) {
            HttpResponse<String> r = app.get("/api/v1/deployments?status=" + s.key(), DEPLOYER_TOKEN);
            assertThat(r.statusCode()).as(s.key()).isEqualTo(200);
            assertThat(list(json(r).path("deployments"))).allSatisfy(d -> assertThat(d.path("status").asText()).isEqualTo(s.key()));
        }
        for (String bad : List.of("done", "QUEUED", "rolled%20back")) {
            JsonNode error = assertRefused(get("/api/v1/deployments?status=" + bad, DEPLOYER_TOKEN), 400);
            assertThat(error.path("error").asText()).contains("queued").contains("rollback_failed").contains("cancelled");
        }
    }

    @Test
    void aLimitOutsideOneTo500IsABadRequest() throws IOException {
        for (String bad : List.of("0", "-1", "501", "ten", "1.5", "99999999999")) {
            JsonNode error = assertRefused(get("/api/v1/deployments?limit=" + bad, DEPLOYER_TOKEN), 400);
            assertThat(error.path("error").asText()).contains("limit");
        }
        assertThat(app.get("/api/v1/deployments?limit=500", DEPLOYER_TOKEN).statusCode()).isEqualTo(200);
    }

    /**
     * Pages of 2 through blog's 5 deployments: each full page names the id to go on from, and one that joins the head
     * of the list while the client pages neither shifts a page nor shows up in one.
     */
    @Test
    void deploymentsArePagedWithBeforeAndNextBefore() throws IOException {
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) ids.add(created("blog", "staging", "p" + i));
        String base = "/api/v1/deployments?app=blog&limit=2";
        List<Long> seen = new java.util.ArrayList<>();
        JsonNode page = json(app.get(base, DEPLOYER_TOKEN));
        seen.addAll(ids(page));
        long later = created("blog", "staging", "p6"); // joins the head, before the rest is paged
        while (page.has("nextBefore")) {
            assertThat(page.path("nextBefore").asLong()).isEqualTo(seen.get(seen.size() - 1));
            page = json(app.get(base + "&before=" + page.path("nextBefore").asLong(), DEPLOYER_TOKEN));
            seen.addAll(ids(page));
        }
        List<Long> expected = Sql.rows(db, "select id from deployments where app = 'blog' and id < ? order by id desc",
                later).stream().map(r -> ((Number) r.get("id")).longValue()).toList();
        assertThat(seen).as("every deployment before p6 once, newest first").isEqualTo(expected)
                .containsSubsequence(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)).doesNotContain(later);
        assertThat(page.has("nextBefore")).as("the last page is not full").isFalse();

        for (String bad : List.of("0", "-3", "ten", "1.5", "99999999999999999999")) {
            JsonNode error = assertRefused(get("/api/v1/deployments?before=" + bad, DEPLOYER_TOKEN), 400);
            assertThat(error.path("error").asText()).contains("before");
        }
        JsonNode audit = json(app.get("/api/v1/audit?limit=1", DEPLOYER_TOKEN));
        long newestEntry = audit.path("entries").get(0).path("id").asLong();
        assertThat(audit.path("nextBefore").asLong()).isEqualTo(newestEntry);
        JsonNode older = json(app.get("/api/v1/audit?limit=1&before=" + newestEntry, DEPLOYER_TOKEN));
        assertThat(older.path("entries").get(0).path("id").asLong()).isLessThan(newestEntry);
    }

    private static List<Long> ids(JsonNode page) {
        return list(page.path("deployments")).stream().map(d -> d.path("id").asLong()).toList();
    }

    // ---- GET /api/v1/deployments/{id} ----------------------------------------------------------------------

    @Test
    void oneDeploymentIsShownWithItsSteps() throws IOException {
        long id = created("shop", "qa", "v7");
        StepStore steps = app.bean("stepStore", StepStore.class);
        long pull = steps.open(id, "pull", "127.0.0.3", 1);
        steps.close(pull, true, 0, "pulled v7", null);
        long deploy = steps.open(id, "deploy", "127.0.0.3", 1);
        steps.close(deploy, false, 3, "compose failed", "exit 3");

        HttpResponse<String> r = app.get("/api/v1/deployments/" + id, DEPLOYER_TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode d = json(r);
        assertThat(d.path("id").asLong()).isEqualTo(id);
        assertThat(d.path("version").asText()).isEqualTo("v7");
        List<JsonNode> shown = list(d.path("steps"));
        assertThat(shown).extracting(s -> s.path("stage").asText()).containsExactly("pull", "deploy");
        assertThat(shown).extracting(s -> s.path("status").asText()).containsExactly("succeeded", "failed");
        assertThat(shown.get(1).path("exitCode").asInt()).isEqualTo(3);
        assertThat(shown.get(1).path("output").asText()).isEqualTo("compose failed");
        assertThat(shown.get(0).path("host").asText()).isEqualTo("127.0.0.3");
    }

    @Test
    void anUnknownDeploymentIsNotFoundAndANonNumericIdIsABadRequest() throws IOException {
        assertThat(assertRefused(get("/api/v1/deployments/999999", DEPLOYER_TOKEN), 404).path("error").asText())
                .isEqualTo("no deployment 999999");
        assertThat(assertRefused(get("/api/v1/deployments/abc", DEPLOYER_TOKEN), 400).path("error").asText())
                .contains("must be a number");
        assertRefused(get("/api/v1/deployments/1e3", DEPLOYER_TOKEN), 400);
    }

    // ---- GET /api/v1/environments --------------------------------------------------------------------------

    @Test
    void environmentsShowTheLiveVersionTheRunningDeploymentAndTheQueue() throws IOException {
        Dispatcher dispatcher = app.bean("dispatcher", Dispatcher.class);
        DeploymentFinisher finisher = app.bean("deploymentFinisher", DeploymentFinisher.class);
        long first = created("docs", "staging", "d1");
        long second = created("docs", "staging", "d2");
        long third = created("docs", "staging", "d3");

        JsonNode before = environment("docs", "staging");
        assertThat(before.path("queued").asInt()).isEqualTo(3);
        assertThat(before.path("running").isNull()).isTrue();
        assertThat(before.path("liveVersion").isNull()).isTrue();
        assertThat(before.path("strategy").asText()).isEqualTo("rolling");
        assertThat(list(before.path("hosts"))).extracting(JsonNode::asText).containsExactly("127.0.0.5:9");

        assertThat(dispatcher.dispatch()).contains(first).doesNotContain(second, third);
        JsonNode running = environment("docs", "staging");
        assertThat(running.path("running").path("id").asLong()).isEqualTo(first);
        assertThat(running.path("running").path("status").asText()).isEqualTo("running");
        assertThat(running.path("queued").asInt()).isEqualTo(2);

        finisher.succeeded(first);
        JsonNode live = environment("docs", "staging");
        assertThat(live.path("liveVersion").asText()).isEqualTo("d1");
        assertThat(live.path("running").isNull()).isTrue();
        assertThat(live.path("queued").asInt()).isEqualTo(2);
    }

    @Test
    void everyConfiguredEnvironmentIsListedToATokenAllowedEverywhere() throws IOException {
        JsonNode all = json(app.get("/api/v1/environments", DEPLOYER_TOKEN)).path("environments");
        assertThat(list(all)).extracting(e -> e.path("app").asText() + "/" + e.path("environment").asText())
                .containsExactly("blog/staging", "docs/staging", "shop/production", "shop/qa", "shop/staging");
    }

    @Test
    void aTokenSeesOnlyTheEnvironmentsItMayActOn() throws IOException {
        JsonNode ci = json(app.get("/api/v1/environments", CI_TOKEN)).path("environments");
        assertThat(list(ci)).extracting(e -> e.path("app").asText() + "/" + e.path("environment").asText())
                .containsExactly("blog/staging", "docs/staging", "shop/staging");
    }

    static JsonNode environment(String app_, String environment) throws IOException {
        HttpResponse<String> r = app.get("/api/v1/environments", DEPLOYER_TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        return list(json(r).path("environments")).stream()
                .filter(e -> e.path("app").asText().equals(app_) && e.path("environment").asText().equals(environment))
                .findFirst().orElseThrow();
    }

    // ---- GET /api/v1/audit ---------------------------------------------------------------------------------

    @Test
    void theAuditTrailIsFilteredByAppEnvironmentAndTime() throws Exception {
        created("shop", "qa", "early");
        Thread.sleep(20);
        Instant since = Instant.now();
        Thread.sleep(20);
        long blog = created("blog", "staging", "late-b");
        long qa = created("shop", "qa", "late-q");

        List<JsonNode> blogEntries = list(json(app.get("/api/v1/audit?app=blog&since=" + since, DEPLOYER_TOKEN)).path("entries"));
        assertThat(blogEntries).isNotEmpty();
        assertThat(blogEntries).extracting(e -> e.path("app").asText()).containsOnly("blog");
        assertThat(blogEntries).extracting(e -> Instant.parse(e.path("at").asText())).allMatch(at -> !at.isBefore(since));
        assertThat(blogEntries).extracting(e -> e.path("deploymentId").asLong()).contains(blog);

        List<JsonNode> qaEntries = list(json(app.get("/api/v1/audit?environment=qa&since=" + since, DEPLOYER_TOKEN)).path("entries"));
        assertThat(qaEntries).extracting(e -> e.path("environment").asText()).containsOnly("qa");
        assertThat(qaEntries).extracting(e -> e.path("version").asText()).contains("late-q").doesNotContain("early");
        assertThat(qaEntries).extracting(e -> e.path("deploymentId").asLong()).contains(qa);
        assertThat(qaEntries.get(0).path("actor").asText()).isEqualTo("deployer");

        List<JsonNode> all = list(json(app.get("/api/v1/audit?limit=500", DEPLOYER_TOKEN)).path("entries"));
        assertThat(all).extracting(e -> e.path("id").asLong()).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(all).extracting(e -> e.path("version").asText()).contains("early", "late-b", "late-q");

        assertThat(assertRefused(get("/api/v1/audit?since=yesterday", DEPLOYER_TOKEN), 400).path("error").asText())
                .contains("since");
    }

    // ---- what a token may read -----------------------------------------------------------------------------

    @Test
    void aTokenReadsOnlyTheDeploymentsOfEnvironmentsItMayActOn() throws IOException {
        long production = created("shop", "production", "p1");
        long staging = created("shop", "staging", "s1");
        StepStore steps = app.bean("stepStore", StepStore.class);
        steps.close(steps.open(production, "deploy", "127.0.0.2", 1), false, 1, "production output", "exit 1");

        List<JsonNode> seen = list(json(app.get("/api/v1/deployments?limit=500", CI_TOKEN)).path("deployments"));
        assertThat(seen).extracting(d -> d.path("id").asLong()).contains(staging).doesNotContain(production);
        assertThat(seen).extracting(d -> d.path("environment").asText()).containsOnly("staging");
        assertThat(list(json(app.get("/api/v1/deployments?environment=production", CI_TOKEN)).path("deployments")))
                .isEmpty();
        // the token allowed everywhere sees both
        assertThat(list(json(app.get("/api/v1/deployments?limit=500", DEPLOYER_TOKEN)).path("deployments")))
                .extracting(d -> d.path("id").asLong()).contains(staging, production);
    }

    @Test
    void aDeploymentOfAnotherEnvironmentIsNotFoundLikeOneThatDoesNotExist() throws IOException {
        long production = created("shop", "production", "p2");
        long missing = Sql.count(db, "select max(id) from deployments") + 1000;

        JsonNode hidden = assertRefused(get("/api/v1/deployments/" + production, CI_TOKEN), 404);
        assertThat(hidden.path("error").asText()).isEqualTo("no deployment " + production);
        assertThat(assertRefused(get("/api/v1/deployments/" + missing, CI_TOKEN), 404).path("error").asText())
                .isEqualTo("no deployment " + missing);
        // acting on it is no different: nothing tells that it exists
        assertThat(assertRefused(app.postRequest("/api/v1/deployments/" + production + "/rollback", CI_TOKEN, "{}"), 404)
                .path("error").asText()).isEqualTo("no deployment " + production);
        assertThat(app.get("/api/v1/deployments/" + production, DEPLOYER_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void anIncidentReportOfAnotherEnvironmentIsNotFoundLikeItsDeployment() throws IOException {
        long production = created("shop", "production", "p4");
        IncidentReports reports = app.bean("incidentReports", IncidentReports.class);
        assertThat(app.bean("incidentReportStore", IncidentReportStore.class).save(reports.render(production))).isTrue();

        JsonNode hidden = assertRefused(get("/api/v1/deployments/" + production + "/incident", CI_TOKEN), 404);
        assertThat(hidden.path("error").asText()).isEqualTo("no deployment " + production);
        HttpResponse<String> seen = app.get("/api/v1/deployments/" + production + "/incident", DEPLOYER_TOKEN);
        assertThat(seen.statusCode()).isEqualTo(200);
        assertThat(seen.body()).startsWith("# Incident: shop/production p4 ");
        assertThat(json(app.get("/api/v1/deployments/" + production, DEPLOYER_TOKEN)).path("incidentUrl").asText())
                .endsWith("/api/v1/deployments/" + production + "/incident");
    }

    @Test
    void theAuditTrailShowsATokenOnlyItsEnvironmentsAndRefusalsOfUnknownCallersOnlyToATokenAllowedEverywhere()
            throws IOException {
        created("shop", "production", "p3");
        created("shop", "staging", "s3");
        assertThat(app.get("/api/v1/deployments", "not-a-token").statusCode()).isEqualTo(401);

        List<JsonNode> ci = list(json(app.get("/api/v1/audit?limit=500", CI_TOKEN)).path("entries"));
        assertThat(ci).isNotEmpty().extracting(e -> e.path("environment").asText()).containsOnly("staging");
        assertThat(ci).extracting(e -> e.path("version").asText()).contains("s3").doesNotContain("p3");
        assertThat(list(json(app.get("/api/v1/audit?environment=production", CI_TOKEN)).path("entries"))).isEmpty();

        List<JsonNode> all = list(json(app.get("/api/v1/audit?limit=500", DEPLOYER_TOKEN)).path("entries"));
        assertThat(all).extracting(e -> e.path("version").asText()).contains("s3", "p3");
        assertThat(all).anySatisfy(e -> {
            assertThat(e.path("actor").asText()).isEqualTo("anonymous");
            assertThat(e.path("environment").isNull()).isTrue();
        });
    }

    // ---- what a body may hold, what an answer can be -------------------------------------------------------

    @Test
    void anUnknownFieldInABodyIsABadRequestNamingIt() throws IOException {
        JsonNode create = assertRefused(post(DEPLOYER_TOKEN,
                "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v1\",\"reasn\":\"typo\"}"), 400);
        assertThat(create.path("error").asText()).isEqualTo(
                "unknown field \"reasn\" (fields: app, environment, version, reason)");

        long id = created("shop", "qa", "v-unknown-field");
        app.bean("dispatcher", Dispatcher.class).dispatch();
        app.bean("deploymentFinisher", DeploymentFinisher.class).succeeded(id);
        JsonNode rollback = assertRefused(app.postRequest("/api/v1/deployments/" + id + "/rollback", DEPLOYER_TOKEN,
                "{\"reasn\":\"typo\"}"), 400);
        assertThat(rollback.path("error").asText()).isEqualTo("unknown field \"reasn\" (fields: reason, restore)");
    }

    @Test
    void aCancelTakesAnOptionalReasonForTheAuditTrailAndRefusesUnknownFields() throws IOException {
        long id = created("shop", "qa", "v-cancel-reason");
        JsonNode typo = assertRefused(app.postRequest("/api/v1/deployments/" + id + "/cancel", DEPLOYER_TOKEN,
                "{\"reasn\":\"typo\"}"), 400);
        assertThat(typo.path("error").asText()).isEqualTo("unknown field \"reasn\" (fields: reason)");
        assertThat(Sql.rows(db, "select status from deployments where id = ?", id)).as("still queued")
                .containsExactly(Map.of("status", "queued"));

        HttpResponse<String> cancelled = app.postJson("/api/v1/deployments/" + id + "/cancel", DEPLOYER_TOKEN,
                "{\"reason\":\"wrong build\"}");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(Sql.rows(db, "select actor, detail from audit_log where deployment_id = ? and action = ?", id,
                "deployment.cancelled")).containsExactly(Map.of("actor", "deployer", "detail", "wrong build"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/html", "application/xml", "text/*"})
    void anAcceptHeaderTheApiCannotServeIsNotAcceptable(String accept) throws IOException {
        for (HttpRequest.Builder request : List.of(
                HttpRequest.newBuilder(app.uri("/api/v1/deployments")).GET(),
                HttpRequest.newBuilder(app.uri("/api/v1/deployments")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")))) {
            HttpResponse<String> r = app.send(request.header("Authorization", "Bearer " + DEPLOYER_TOKEN)
                    .header("Accept", accept).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(406);
            assertThat(json(r).path("error").asText()).contains("application/json").contains(accept);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"*/*", "application/*", "application/json", "application/json; charset=utf-8",
            "application/json;q=0.9", "text/html, application/json;q=0.1", "none"})
    void anAcceptHeaderThatAdmitsJsonIsServed(String accept) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.uri("/api/v1/deployments"))
                .header("Authorization", "Bearer " + DEPLOYER_TOKEN).GET();
        if (!accept.equals("none")) b.header("Accept", accept);
        HttpResponse<String> r = app.send(b.build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).has("deployments")).isTrue();
    }

    // ---- an environment locked by a failed rollback ---------------------------------------------------------

    @Test
    void aDeploymentToALockedEnvironmentIsQueuedAndTheAnswerSaysItWaitsForAnUnlock() throws IOException {
        EnvironmentLease lease = app.bean("environmentLease", EnvironmentLease.class);
        long failed = created("blog", "staging", "b-locking");
        lease.lockAfterFailedRollback("blog", "staging", failed);
        try {
            HttpResponse<String> r = create(DEPLOYER_TOKEN, "blog", "staging", "b-after-lock");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode answer = json(r);
            assertThat(answer.path("status").asText()).isEqualTo("queued");
            assertThat(answer.path("environmentLocked").asBoolean()).isTrue();
            assertThat(answer.path("lockedBy").asLong()).isEqualTo(failed);
            assertThat(answer.path("message").asText()).contains("blog/staging is locked")
                    .contains("deployment " + failed).contains("/api/v1/environments/blog/staging/unlock");
            JsonNode env = environment("blog", "staging");
            assertThat(env.path("locked").asBoolean()).isTrue();
            assertThat(env.path("lockedBy").asLong()).isEqualTo(failed);

            // an unlock with a body it cannot take changes nothing
            assertRefused(app.postRequest("/api/v1/environments/blog/staging/unlock", DEPLOYER_TOKEN,
                    "{\"reason\":\"checked\",\"force\":true}"), 400);
            assertThat(lease.lockedBy("blog", "staging")).hasValue(failed);
        } finally {
            lease.unlock("blog", "staging");
        }
        JsonNode free = json(create(DEPLOYER_TOKEN, "blog", "staging", "b-unlocked"));
        assertThat(fieldNames(free)).doesNotContain("environmentLocked", "lockedBy", "message");
        JsonNode env = environment("blog", "staging");
        assertThat(env.path("locked").asBoolean()).isFalse();
        assertThat(env.path("lockedBy").isNull()).isTrue();
    }

    // ---- the service ---------------------------------------------------------------------------------------

    @Test
    void unknownPathsAndMethodsAreAnsweredInJson() throws IOException {
        HttpResponse<String> unknown = app.get("/api/v1/nope", DEPLOYER_TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").asText()).isEqualTo("no such resource: GET /api/v1/nope");

        HttpResponse<String> delete = app.send(HttpRequest.newBuilder(app.uri("/api/v1/deployments/5"))
                .header("Authorization", "Bearer " + DEPLOYER_TOKEN).DELETE().build());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET");
        assertThat(fieldNames(json(delete))).containsExactly("error");

        HttpResponse<String> getWebhook = app.get("/webhooks/github", null);
        assertThat(getWebhook.statusCode()).isEqualTo(405);
        assertThat(getWebhook.headers().firstValue("Allow")).hasValue("POST");
        assertThat(json(getWebhook).path("error").asText()).contains("GET");
    }

    @Test
    void theOpenApiDocumentListsTheApi() throws IOException {
        HttpResponse<String> r = app.get("/api/v1/openapi.json", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = json(r);
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("info").path("title").asText()).isEqualTo("Greenlight API");
        JsonNode paths = doc.path("paths");
        assertThat(fieldNames(paths)).contains("/api/v1/deployments", "/api/v1/deployments/{id}",
                "/api/v1/environments", "/api/v1/audit", "/api/v1/metrics");
        assertThat(fieldNames(paths.path("/api/v1/deployments"))).contains("get", "post");
    }
}
