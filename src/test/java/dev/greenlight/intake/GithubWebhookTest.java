package dev.greenlight.intake;

import static dev.greenlight.testing.GithubDelivery.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
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
        // head_commit is the pushed commit: its timestamp starts the deployment's lead time (GET /api/v1/metrics)
        assertThat(Sql.count(db, "select count(*) from deployments where id = ? and commit_time = ?", id,
                java.sql.Timestamp.from(java.time.Instant.parse("2019-05-15T15:19:25Z")))).isEqualTo(1);
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
    void aPushToAnEnvironmentLockedByAFailedRollbackIsQueuedAndTheAnswerSaysSo() throws IOException {
        EnvironmentLease lease = app.bean("environmentLease", EnvironmentLease.class);
        lease.lockAfterFailedRollback("blog", "staging", 4242);
        try {
            GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push("acme/blog", "main"));
            HttpResponse<String> r = d.send(app);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode queued = MAPPER.readTree(r.body()).path("deployments").get(0);
            assertThat(queued.path("status").asText()).isEqualTo("queued");
            assertThat(queued.path("environmentLocked").asBoolean()).isTrue();
            assertThat(queued.path("lockedBy").asLong()).isEqualTo(4242);
            assertThat(queued.path("message").asText()).contains("blog/staging is locked")
                    .contains("/api/v1/environments/blog/staging/unlock");
        } finally {
            lease.unlock("blog", "staging");
        }
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

    @Test
    void aPushOfASha256RepositoryQueuesItsCommit() throws IOException {
        String sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
        // derived: a repository with SHA-256 object ids; GitHub may send the id in capitals, git reads either
        push.put("after", sha256.toUpperCase());
        ((ObjectNode) push.get("head_commit")).put("id", sha256);
        GithubDelivery d = GithubDelivery.of("push", push);

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).at("/deployments/0/version").asText()).isEqualTo("sha-9f86d08");
        assertThat(deploymentsOf(d)).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("commit_sha", sha256).containsEntry("version", "sha-9f86d08"));
    }

    @Test
    void aPushWhoseCommitIdIsNeitherSha1NorSha256IsRefusedWithTheRule() throws IOException {
        long before = allDeployments();
        for (String id : new String[] {"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c", // 48 digits
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", // 63
                "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}) {
            ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
            push.put("after", id);
            ((ObjectNode) push.get("head_commit")).put("id", id);

            HttpResponse<String> r = GithubDelivery.of("push", push).send(app);

            assertThat(r.statusCode()).as(id).isEqualTo(422);
            assertThat(json(r).path("error").asText()).isEqualTo("push names no commit: \"after\" (or \"head_commit.id\") "
                    + "must be 40 (SHA-1) or 64 (SHA-256) hex digits");
        }
        assertThat(allDeployments()).isEqualTo(before);
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

    @Test
    void anIgnoredPushOfAVeryLongBranchIsAnsweredTheSameWhenRedelivered() throws IOException {
        // a branch name of any length and every character escaped in JSON: the stored answer must stay readable
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, "\u0001".repeat(5000)));
        HttpResponse<String> first = d.send(app);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String reason = json(first).path("reason").asText();
        assertThat(reason).startsWith("no environment of shop deploys branch \u0001").endsWith("…").hasSize(500);

        HttpResponse<String> again = d.send(app);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again)).isEqualTo(json(first));
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
    void aClaimLeftWithoutAnAnswerDoesNotBlockTheRedelivery() throws Exception {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        // what an earlier version left when it died between committing the claim and the answer
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "insert into webhook_deliveries (delivery_id, event, received_at) values (?, 'push', ?)")) {
            ps.setString(1, d.id());
            ps.setTimestamp(2, Timestamp.from(Instant.now().minusSeconds(600)));
            ps.executeUpdate();
        }

        long started = System.nanoTime();
        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3000);
        assertThat(deploymentsOf(d)).hasSize(1);
        HttpResponse<String> again = d.send(app);
        assertThat(again.body()).isEqualTo(r.body());
        assertThat(deploymentsOf(d)).hasSize(1);
    }

    @Test
    void aRedeliveryWhileTheFirstIsInFlightIsAnsweredAtOnceAndProcessedAfreshWhenTheFirstDies() throws Exception {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        // the first copy's transaction: claimed, not yet committed
        Connection first = db.connect();
        first.setAutoCommit(false);
        try (PreparedStatement ps = first.prepareStatement(
                "insert into webhook_deliveries (delivery_id, event, received_at) values (?, 'push', ?)")) {
            ps.setString(1, d.id());
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }

        long started = System.nanoTime();
        HttpResponse<String> copy = d.send(app);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(copy.statusCode()).as(copy.body()).isEqualTo(409);
        assertThat(json(copy).path("error").asText()).contains(d.id() + " is still being processed; retry later");
        assertThat(copy.headers().firstValue("Retry-After")).hasValue("2");
        // the wait on the first copy's row lock is bounded (PostgreSQL 500 ms, H2's lock timeout 2 s)
        assertThat(tookMs).isLessThan(4000);
        assertThat(deploymentsOf(d)).isEmpty();

        // the first copy's process dies: the database rolls its transaction back, claim included
        first.close();
        HttpResponse<String> redelivery = d.send(app);
        assertThat(redelivery.statusCode()).as(redelivery.body()).isEqualTo(202);
        assertThat(deploymentsOf(d)).hasSize(1);
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

    // ---- content types -------------------------------------------------------------------------------------

    @Test
    void thePingOfANewWebhookIsAnsweredInGithubsDefaultFormContentType() throws IOException {
        // GitHub's published ping, byte for byte, as a webhook left at content type application/x-www-form-urlencoded
        HttpResponse<String> r = GithubDelivery.of("ping", GithubFixtures.bytes("ping.json")).asForm().send(app);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r)).isEqualTo(MAPPER.readTree("{\"status\":\"ignored\",\"reason\":\"ping\"}"));
    }

    @Test
    void everyPublishedPayloadGetsTheSameAnswerInBothContentTypes() throws IOException {
        for (String name : List.of("ping.json", "push.branch-created.json", "push.tag-deleted.json",
                "release.published.json", "release.prereleased.json", "create.tag.json")) {
            String event = name.substring(0, name.indexOf('.'));
            byte[] payload = GithubFixtures.bytes(name);
            HttpResponse<String> asJson = GithubDelivery.of(event, payload).send(app);
            GithubDelivery form = GithubDelivery.of(event, payload).asForm();
            assertThat(form.body().length).as("over Vert.x's 8 KB form field limit").isGreaterThan(8192);
            HttpResponse<String> asForm = form.send(app);

            assertThat(asJson.statusCode()).as(name + ": " + asJson.body()).isEqualTo(200);
            assertThat(asForm.statusCode()).as(name + ": " + asForm.body()).isEqualTo(asJson.statusCode());
            assertThat(asForm.body()).as(name).isEqualTo(asJson.body());
        }
    }

    @Test
    void aPushSentAsAFormQueuesItsDeployment() throws IOException {
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH)).asForm();

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).at("/deployments/0/version").asText()).isEqualTo("sha-6113728");
        assertThat(deploymentsOf(d)).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("commit_sha", SHA).containsEntry("triggered_by", "github:Codertocat"));
        // the redelivery, in the same content type, gets the first answer again
        HttpResponse<String> again = d.send(app);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(r.body());
        assertThat(deploymentsOf(d)).hasSize(1);
    }

    @Test
    void aDeliveryOverHttp2IsReadWholeInBothContentTypes() throws Exception {
        // not how GitHub sends, but what a proxy in front may do (h2c upgrade): the body must still arrive whole
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        for (boolean form : new boolean[] {false, true}) {
            GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
            if (form) d.asForm();
            HttpResponse<String> r = http2.send(HttpRequest.newBuilder(app.uri("/webhooks/github"))
                    .header("Content-Type", form ? "application/x-www-form-urlencoded" : "application/json")
                    .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", d.id())
                    .header("X-Hub-Signature-256", d.signature())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(d.body())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(form + ": " + r.body()).isEqualTo(202);
            assertThat(deploymentsOf(d)).hasSize(1);
        }
    }

    @Test
    void aFormSignatureIsCheckedOnTheBodyAsSentNotOnTheJsonInside() throws IOException {
        long before = allDeployments();
        byte[] json = GithubDelivery.bytes(GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        // signed over the JSON, sent as a form: the signature does not cover what was sent
        GithubDelivery d = GithubDelivery.of("push", GithubDelivery.form(json))
                .contentType("application/x-www-form-urlencoded")
                .header("X-Hub-Signature-256", GithubDelivery.of("push", json).signature());

        HttpResponse<String> r = d.send(app);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(allDeployments()).isEqualTo(before);
    }

    @Test
    void anUnsignedOrWronglySignedDeliveryIsUnauthorizedWhateverItsContentType() throws IOException {
        long before = allDeployments();
        byte[] json = GithubDelivery.bytes(GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        java.util.Arrays.asList("application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", null)
                .forEach(type -> {
                    for (GithubDelivery d : List.of(GithubDelivery.of("push", json).contentType(type).unsigned(),
                            GithubDelivery.of("push", json).contentType(type).secret("not-the-secret"))) {
                        HttpResponse<String> r = d.send(app);
                        assertThat(r.statusCode()).as(type + ": " + r.body()).isEqualTo(401);
                        assertThat(r.body()).as(type).contains("signature");
                    }
                });
        assertThat(allDeployments()).isEqualTo(before);
    }

    @Test
    void aSignedDeliveryOfAnotherContentTypeIsUnsupportedMediaType() throws IOException {
        byte[] json = GithubDelivery.bytes(GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        for (String type : new String[] {"text/plain", "multipart/form-data; boundary=x", "application/xml", null}) {
            GithubDelivery d = GithubDelivery.of("push", json).contentType(type);
            HttpResponse<String> r = d.send(app);
            assertThat(r.statusCode()).as(type).isEqualTo(415);
            assertThat(json(r).path("error").asText())
                    .contains("Content-Type must be application/json or application/x-www-form-urlencoded")
                    .contains("got " + (type == null ? "none" : type));
            assertThat(deploymentsOf(d)).isEmpty();
            assertThat(Sql.count(db, "select count(*) from webhook_deliveries where delivery_id = ?", d.id())).isZero();
        }
    }

    @Test
    void aFormThatIsNotGithubsOneFieldIsABadRequestAndRecordsNothing() throws IOException {
        long before = allDeployments();
        byte[] form = GithubDelivery.form(GithubDelivery.bytes(GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH)));
        String encoded = new String(form, StandardCharsets.US_ASCII);
        Map<String, String> cases = Map.of(
                "body=" + encoded.substring("payload=".length()), "form body has no payload field",
                "", "form body has no payload field",
                encoded + "&ref=refs%2Fheads%2Fmain", "form body has 2 fields: only payload is expected",
                "ref=x&" + encoded, "form body has no payload field",
                encoded + "&", "form body has 2 fields",
                encoded.substring(0, encoded.length() - 1) + "%zz", "is not URL-encoded: a % at byte");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            GithubDelivery d = GithubDelivery.of("push", c.getKey().getBytes(StandardCharsets.US_ASCII))
                    .contentType("application/x-www-form-urlencoded");
            HttpResponse<String> r = d.send(app);
            assertThat(r.statusCode()).as(c.getValue() + ": " + r.body()).isEqualTo(400);
            assertThat(json(r).path("error").asText()).contains(c.getValue());
            assertThat(Sql.count(db, "select count(*) from webhook_deliveries where delivery_id = ?", d.id())).isZero();
        }
        // well-formed as a form, but the JSON inside is not
        HttpResponse<String> broken = GithubDelivery.of("push", GithubDelivery.form("{\"ref\": ".getBytes(StandardCharsets.UTF_8)))
                .contentType("application/x-www-form-urlencoded").send(app);
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(json(broken).path("error").asText()).contains("malformed payload");
        assertThat(allDeployments()).isEqualTo(before);
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

    @Test
    void aConnectionCarriesOnAfterABodyWasRefusedAsTooLarge() throws IOException {
        byte[] ping = GithubFixtures.bytes("ping.json");
        String signature = GithubDelivery.of("ping", ping).signature();
        try (Socket s = new Socket("127.0.0.1", app.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            int tooLarge = MAX_BODY + 1;
            out.write(("POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-GitHub-Event: ping\r\nX-GitHub-Delivery: big-" + System.nanoTime() + "\r\n"
                    + "X-Hub-Signature-256: " + signature + "\r\nContent-Length: " + tooLarge + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[tooLarge]);
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 413");

            // the refused body was read to its end: the next request on the connection is answered
            out.write(("POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-GitHub-Event: ping\r\nX-GitHub-Delivery: after-big-" + System.nanoTime() + "\r\n"
                    + "X-Hub-Signature-256: " + signature + "\r\nContent-Length: " + ping.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(ping);
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("\"reason\":\"ping\"");
        }
    }

    /** One HTTP/1.1 response, framed by Content-Length or chunked: status line, headers and body. */
    private static String readResponse(InputStream in) throws IOException {
        String head = readLine(in, "\r\n\r\n");
        boolean chunked = head.lines().anyMatch(l -> l.equalsIgnoreCase("transfer-encoding: chunked"));
        if (!chunked) {
            int length = head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                    .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElseThrow();
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
        StringBuilder body = new StringBuilder();
        for (int size; (size = Integer.parseInt(readLine(in, "\r\n").trim(), 16)) > 0; ) {
            body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
            readLine(in, "\r\n");
        }
        readLine(in, "\r\n");
        return head + body;
    }

    private static String readLine(InputStream in, String end) throws IOException {
        StringBuilder text = new StringBuilder();
        while (!text.toString().endsWith(end)) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed after: " + text);
            text.append((char) b);
        }
        return text.toString();
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
