package dev.greenlight.intake;

import static dev.greenlight.testing.GithubDelivery.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /webhooks/github against the real service: signatures, triggers, ignored events, refusals, redeliveries and
 * body limits. Bodies are GitHub's published example payloads pointed at the configured repository.
 */
class GithubWebhookTest {
    static final int MAX_BODY = 64 * 1024;
    static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    @TempDir
    static Path dir;
    static TestDatabase db;
    static TestGreenlight app;
    static long startedAt;

    @BeforeAll
    static void start() {
        db = TestDatabase.create();
        app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                Map.of("camel.server.maxBodySize", String.valueOf(MAX_BODY),
                        "greenlight.dispatch.period", "3600000"));
        startedAt = System.currentTimeMillis();
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

    static List<Map<String, Object>> deploymentsOf(GithubDelivery d) {
        return Sql.rows(db, "select * from deployments where delivery_id = ? order by id", d.id());
    }

    static long allDeployments() {
        return Sql.count(db, "select count(*) from deployments");
    }

    static void assertIgnored(GithubDelivery d, String reasonPart) throws IOException {
        HttpResponse<String> r = d.send(app);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("status").asText()).isEqualTo("ignored");
        assertThat(body.path("reason").asText()).contains(reasonPart);
        assertThat(deploymentsOf(d)).isEmpty();
    }

    // ---- triggers ------------------------------------------------------------------------------------------

    @Test
    void pingIsAnswered() throws IOException {
        HttpResponse<String> r = GithubDelivery.of("ping", GithubDelivery.fixture("ping.json")).send(app);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r)).isEqualTo(MAPPER.readTree("{\"status\":\"ignored\",\"reason\":\"ping\"}"));
    }

    @Test
    void aPushToTheConfiguredBranchQueuesADeploymentVersionedFromTheTemplate() throws IOException {
        ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
        // an ordinary push to an existing branch (the published example creates the branch)
        push.put("created", false).put("before", "d70c5c6fa6388b02fb2a0f1e9d5cbbfc2b3e6a41");
        GithubDelivery d = GithubDelivery.of("push", push);

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode deployments = json(r).path("deployments");
        assertThat(deployments).hasSize(1);
        JsonNode first = deployments.get(0);
        assertThat(first.path("app").asText()).isEqualTo("shop");
        assertThat(first.path("environment").asText()).isEqualTo("staging");
        assertThat(first.path("version").asText()).isEqualTo("sha-6113728");
        long id = first.path("id").asLong();

        Map<String, Object> row = deploymentsOf(d).get(0);
        assertThat(row.get("id")).isEqualTo(id);
        assertThat(row).containsEntry("app", "shop").containsEntry("environment", "staging")
                .containsEntry("version", "sha-6113728").containsEntry("commit_sha", SHA)
                .containsEntry("trigger_kind", "push").containsEntry("triggered_by", "github:Codertocat");
        assertThat(Sql.rows(db, "select actor, outcome from audit_log where deployment_id = ? and action = ?",
                id, "deployment.queued")).containsExactly(Map.of("actor", "github:Codertocat", "outcome", "accepted"));
    }

    @Test
    void aTriggerWakesTheDispatcherWithoutLeavingAnythingInFlight() throws InterruptedException {
        // after the dispatch timer's first tick, so that the wake-up is what starts the deployment
        Thread.sleep(Math.max(0, 1500 - (System.currentTimeMillis() - startedAt)));
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push("acme/docs", "main"));
        assertThat(d.send(app).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(3)).until(() -> !"queued".equals(deploymentsOf(d).get(0).get("status")));
        // the wake-up is one-way: nothing may wait for a reply that no pipeline sends (it would block
        // the dispatcher and every later wake-up for the request timeout)
        await().atMost(Duration.ofSeconds(3))
                .until(() -> app.context().getInflightRepository().size() == 0);
    }

    @Test
    void aPushThatCreatesTheBranchDeploys() throws IOException {
        ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
        assertThat(push.path("created").asBoolean()).isTrue();
        GithubDelivery d = GithubDelivery.of("push", push);

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(deploymentsOf(d)).hasSize(1);
    }

    @Test
    void aPushWithANullHeadCommitDeploysTheAfterCommit() throws IOException {
        ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
        push.set("head_commit", NullNode.getInstance());
        GithubDelivery d = GithubDelivery.of("push", push);

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).at("/deployments/0/version").asText()).isEqualTo("sha-6113728");
    }

    @Test
    void aPushToTheSameBranchOfTwoAppsDeploysOnlyTheRepositorysApp() throws IOException {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push("acme/blog", "main"));
        HttpResponse<String> r = d.send(app);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(deploymentsOf(d)).extracting(row -> row.get("app") + "/" + row.get("environment"))
                .containsExactly("blog/staging");
    }

    @Test
    void aPublishedReleaseDeploysItsTagToReleaseEnvironments() throws IOException {
        GithubDelivery d = GithubDelivery.of("release", GithubDelivery.release(TestConfig.REPOSITORY, "v2.5.0"));

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode deployments = json(r).path("deployments");
        assertThat(deployments).hasSize(1);
        assertThat(deployments.get(0).path("environment").asText()).isEqualTo("production");
        assertThat(deployments.get(0).path("version").asText()).isEqualTo("v2.5.0");
        assertThat(deployments.get(0).path("id").asLong()).isPositive();
        assertThat(deploymentsOf(d)).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("trigger_kind", "release").containsEntry("version", "v2.5.0"));
    }

    @Test
    void aReleaseTaggedWithAShellCommandIsRefusedAndQueuesNothing() throws IOException {
        long before = allDeployments();
        GithubDelivery d = GithubDelivery.of("release",
                GithubDelivery.release(TestConfig.REPOSITORY, "v1;touch /tmp/pwned"));

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(json(r).path("error").asText()).contains("not a valid image tag");
        assertThat(allDeployments()).isEqualTo(before);
        assertThat(Sql.count(db, "select count(*) from audit_log where action = 'webhook.refused' and outcome = 'refused' "
                + "and detail like '%not a valid image tag%'")).isPositive();
    }

    // ---- ignored -------------------------------------------------------------------------------------------

    @Test
    void aPushToAnotherBranchIsIgnored() throws IOException {
        assertIgnored(GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, "feature/x")),
                "no environment of shop deploys branch feature/x");
    }

    @Test
    void aBranchDeletionIsIgnored() throws IOException {
        ObjectNode deletion = GithubDelivery.fixture("push.tag-deleted.json");
        ((ObjectNode) deletion.get("repository")).put("full_name", TestConfig.REPOSITORY);
        deletion.put("ref", "refs/heads/main");
        assertIgnored(GithubDelivery.of("push", deletion), "deleted");
    }

    @Test
    void aTagPushIsIgnored() throws IOException {
        ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
        push.put("ref", "refs/tags/v9.9.9");
        assertIgnored(GithubDelivery.of("push", push), "tag v9.9.9");
    }

    @Test
    void otherEventsAreIgnored() throws IOException {
        ObjectNode create = GithubDelivery.fixture("create.tag.json");
        ((ObjectNode) create.get("repository")).put("full_name", TestConfig.REPOSITORY);
        assertIgnored(GithubDelivery.of("create", create), "event create does not trigger deployments");
    }

    @Test
    void aReleaseActionNoEnvironmentDeploysOnIsIgnored() throws IOException {
        ObjectNode pre = GithubDelivery.fixture("release.prereleased.json");
        ((ObjectNode) pre.get("repository")).put("full_name", TestConfig.REPOSITORY);
        assertIgnored(GithubDelivery.of("release", pre), "no environment of shop deploys on release prereleased");
    }

    @Test
    void eventsOfOtherRepositoriesAreIgnored() throws IOException {
        // the published example, untouched: Codertocat/Hello-World is not configured
        assertIgnored(GithubDelivery.of("push", GithubDelivery.fixture("push.branch-created.json")),
                "repository Codertocat/Hello-World is not configured");
        assertIgnored(GithubDelivery.of("release", GithubDelivery.fixture("release.published.json")),
                "repository Codertocat/Hello-World is not configured");
    }

    // ---- headers -------------------------------------------------------------------------------------------

    @Test
    void headerNamesAreReadInAnyCase() throws IOException {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        d.header("x-github-event", "push").header("X-Github-Delivery", d.id())
                .header("x-hub-signature-256", d.signature()).header("content-type", "Application/JSON; charset=utf-8");

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(deploymentsOf(d)).hasSize(1);
    }

    @Test
    void aDeliveryWithoutItsIdOrEventIsABadRequest() throws IOException {
        HttpResponse<String> noId = GithubDelivery.of("ping", GithubDelivery.fixture("ping.json")).id(null).send(app);
        assertThat(noId.statusCode()).isEqualTo(400);
        assertThat(json(noId).path("error").asText()).contains("X-GitHub-Delivery");

        HttpResponse<String> noEvent = GithubDelivery.of(null, GithubDelivery.fixture("ping.json")).send(app);
        assertThat(noEvent.statusCode()).isEqualTo(400);
        assertThat(json(noEvent).path("error").asText()).contains("X-GitHub-Event");
    }

    @Test
    void anOverlongDeliveryIdIsABadRequestNotADatabaseFailure() throws IOException {
        HttpResponse<String> r = GithubDelivery.of("ping", GithubDelivery.fixture("ping.json"))
                .id("x".repeat(300)).send(app);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).contains("X-GitHub-Delivery");
    }

    // ---- signatures ----------------------------------------------------------------------------------------

    @Test
    void aDeliveryWithoutASignatureIsRefusedAndAudited() throws IOException {
        long before = allDeployments();
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH)).unsigned();

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).path("error").asText()).contains("signature");
        assertThat(allDeployments()).isEqualTo(before);
        assertThat(Sql.rows(db, "select actor, outcome from audit_log where action = 'webhook.refused' and detail like ?",
                "%" + d.id() + "%")).containsExactly(Map.of("actor", "github", "outcome", "unauthorized"));
    }

    @Test
    void aDeliveryWithAWrongSignatureIsRefusedAndAudited() throws IOException {
        long before = allDeployments();
        GithubDelivery otherSecret = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH))
                .secret("not-the-secret");
        GithubDelivery garbage = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH))
                .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64));
        // signed correctly, then the body was changed: the signature covers the raw bytes
        byte[] original = GithubDelivery.bytes(GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        String signature = GithubDelivery.of("push", original).signature();
        byte[] tampered = new String(original, StandardCharsets.UTF_8).replace("refs/heads/main", "refs/heads/mai ")
                .getBytes(StandardCharsets.UTF_8);
        GithubDelivery replayed = GithubDelivery.of("push", tampered).header("X-Hub-Signature-256", signature);

        for (GithubDelivery d : List.of(otherSecret, garbage, replayed)) {
            HttpResponse<String> r = d.send(app);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(json(r).path("error").asText()).contains("signature");
            assertThat(Sql.count(db, "select count(*) from audit_log where action = 'webhook.refused' and detail like ?",
                    "%" + d.id() + "%")).isEqualTo(1);
        }
        assertThat(allDeployments()).isEqualTo(before);
    }

    // ---- redeliveries --------------------------------------------------------------------------------------

    @Test
    void aRedeliveryGetsTheFirstAnswerAgainAndQueuesNothingNew() throws IOException {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));

        HttpResponse<String> first = d.send(app);
        HttpResponse<String> again = d.send(app);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(deploymentsOf(d)).hasSize(1);
    }

    @Test
    void aRedeliveryOfAnIgnoredEventIsIgnoredAgain() throws IOException {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, "other"));
        HttpResponse<String> first = d.send(app);
        HttpResponse<String> again = d.send(app);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
    }

    @Test
    void concurrentCopiesOfOneDeliveryQueueOneDeploymentAndAllGetTheSameAnswer() throws Exception {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        int copies = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return d.send(app);
                }));
            }
            go.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> f : answers) responses.add(f.get(30, TimeUnit.SECONDS));

            assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(202);
            assertThat(responses).extracting(HttpResponse::body).containsOnly(responses.get(0).body());
            assertThat(deploymentsOf(d)).hasSize(1);
            assertThat(Sql.count(db, "select count(*) from webhook_deliveries where delivery_id = ?", d.id())).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRedeliveryAfterAFailedFirstAttemptIsProcessedAfresh() throws IOException {
        // the first copy cannot be read; GitHub's redelivery must not be stuck behind it
        byte[] broken = "{\"ref\": \"refs/heads/main\",".getBytes(StandardCharsets.UTF_8);
        GithubDelivery first = GithubDelivery.of("push", broken);
        HttpResponse<String> r1 = first.send(app);
        assertThat(r1.statusCode()).isEqualTo(400);

        long started = System.nanoTime();
        GithubDelivery fixed = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH))
                .id(first.id());
        HttpResponse<String> r2 = fixed.send(app);

        assertThat(r2.statusCode()).as(r2.body()).isEqualTo(202);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3000);
        assertThat(deploymentsOf(fixed)).hasSize(1);
    }

    // ---- bodies --------------------------------------------------------------------------------------------

    @Test
    void malformedJsonIsABadRequestWithAJsonError() throws IOException {
        long before = allDeployments();
        HttpResponse<String> r = GithubDelivery.of("push", "{\"ref\": ".getBytes(StandardCharsets.UTF_8)).send(app);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).contains("malformed payload");
        assertThat(allDeployments()).isEqualTo(before);

        HttpResponse<String> array = GithubDelivery.of("push", "[1,2]".getBytes(StandardCharsets.UTF_8)).send(app);
        assertThat(array.statusCode()).isEqualTo(400);
        assertThat(json(array).path("error").asText()).contains("expected an object");
    }

    @Test
    void aNonJsonContentTypeIsUnsupportedMediaType() throws IOException {
        byte[] form = ("payload=" + java.net.URLEncoder.encode(new String(GithubDelivery.bytes(
                GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH)), StandardCharsets.UTF_8),
                StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain", null}) {
            GithubDelivery d = GithubDelivery.of("push", form).contentType(type);
            HttpResponse<String> r = d.send(app);
            assertThat(r.statusCode()).as(type).isEqualTo(415);
            assertThat(json(r).path("error").asText()).contains("GitHub webhooks must be configured with content type application/json");
            assertThat(json(r).path("error").asText()).contains("application/json");
            assertThat(deploymentsOf(d)).isEmpty();
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413AndAJsonError() throws IOException {
        long before = allDeployments();
        ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
        push.put("padding", "x".repeat(MAX_BODY));
        GithubDelivery d = GithubDelivery.of("push", push);

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).path("error").asText()).isEqualTo("request body too large: at most " + MAX_BODY
                + " bytes are accepted");
        assertThat(allDeployments()).isEqualTo(before);
        await().atMost(Duration.ofSeconds(3)).until(() -> Sql.count(db, "select count(*) from audit_log where "
                + "action = 'http.refused' and outcome = 'too_large' and detail like 'POST /webhooks/github:%'") > 0);
        assertThat(Sql.count(db, "select count(*) from webhook_deliveries where delivery_id = ?", d.id())).isZero();
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItHasBeenSentWhole() throws IOException {
        // announced as 64 MB: the answer must come while almost all of it is still unsent
        assertThat(refusalWhileSending("Content-Length: " + (64L << 20) + "\r\n", false)).startsWith("HTTP/1.1 413");
        // chunked, never finished: the limit is enforced on what arrived, not on a whole body
        assertThat(refusalWhileSending("Transfer-Encoding: chunked\r\n", true)).startsWith("HTTP/1.1 413");
    }

    /** One HTTP/1.1 response with a Content-Length: status line, headers and body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed after: " + head);
            head.append((char) b);
        }
        int length = head.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElseThrow();
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Sends headers and twice the limit of body, never the rest, and returns the status line and body of the answer. */
    private static String refusalWhileSending(String framing, boolean chunked) throws IOException {
        try (Socket s = new Socket("127.0.0.1", app.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-GitHub-Event: push\r\nX-GitHub-Delivery: big-" + System.nanoTime() + "\r\n"
                    + "X-Hub-Signature-256: sha256=" + "0".repeat(64) + "\r\n" + framing + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[8192];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try {
                for (int sent = 0; sent < 2 * MAX_BODY; sent += chunk.length) {
                    if (chunked) out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    if (chunked) out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException closedEarly) {
                // the server may stop reading and close once it has refused: that is the point
            }
            String answer = readResponse(s.getInputStream());
            assertThat(answer).containsIgnoringCase("Content-Type: application/json").contains("\"error\"");
            return answer;
        }
    }
}
