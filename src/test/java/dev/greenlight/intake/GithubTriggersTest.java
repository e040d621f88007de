package dev.greenlight.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.deploy.EventOutbox;
import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.testing.GithubApiStandIn;
import dev.greenlight.testing.GithubApiStandIn.Received;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow_dispatch and deployment triggers end to end: GitHub's example payloads (octokit/webhooks, pointed at
 * the configured repository), embedded SSH hosts running the deploy command, and a stand-in for GitHub's API that
 * checks the token of every request and records its path and body.
 */
class GithubTriggersTest {
    private static final String SECRET = "webhook-secret-for-triggers-test";
    private static final String GITHUB_TOKEN = "ghp_triggersTestToken0123456789abc";
    private static final String PUBLIC_URL = "https://greenlight.example.com";
    private static final String ENVIRONMENT_URL = "https://shop.example.com";
    private static final String WORKFLOW = ".github/workflows/deploy.yml";
    /** The id, commit and ref of the deployment in GitHub's example payload. */
    private static final long EXAMPLE_ID = 145988746;
    private static final String EXAMPLE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
    /** Ids the stand-in gives the deployments the mirror creates. */
    private static final long MIRRORED_ID = 9001;

    @TempDir
    Path dir;
    GithubApiStandIn github;

    @BeforeEach
    void startGithub() {
        github = new GithubApiStandIn("acme/shop", GITHUB_TOKEN, MIRRORED_ID);
    }

    @AfterEach
    void stopGithub() {
        github.close();
    }

    @Test
    void aWorkflowRunDeploysItsVersionInputOnceAndTheMirrorsOwnDeploymentEventDeploysNothing() throws Exception {
        try (RollingFixture f = start()) {
            GithubDelivery run = GithubDelivery.of("workflow_dispatch", dispatch(Map.of("version", "2.1.0")))
                    .secret(SECRET);
            var first = run.send(f.app);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            long id = RollingFixture.json(first.body()).get("deployments").get(0).get("id").asLong();
            var again = run.send(f.app);
            assertThat(again.statusCode()).isEqualTo(202);
            assertThat(again.body()).as("the first answer again").isEqualTo(first.body());
            assertThat(deployments(f)).as("redelivery queues nothing").isEqualTo(1);

            JsonNode d = f.awaitEnd(id);
            assertThat(d.get("status").asText()).isEqualTo("succeeded");
            assertThat(d.get("version").asText()).isEqualTo("2.1.0");
            assertThat(d.get("trigger").asText()).isEqualTo("workflow_dispatch");
            assertThat(d.get("triggeredBy").asText()).isEqualTo("github:Codertocat");
            assertThat(d.get("ref").asText()).isEqualTo("refs/heads/master");
            assertThat(d.has("commitSha")).as("a workflow run names no commit").isFalse();
            assertThat(f.hosts.version(1)).isEqualTo("2.1.0");

            // the mirror is on by default: created with Greenlight's mark, then in progress, then success
            await().atMost(Duration.ofSeconds(20)).until(() -> github.statusesTaken(MIRRORED_ID).size() == 2);
            assertEveryRequestCarriesTheToken();
            Received create = github.received().get(0);
            assertThat(create.path()).isEqualTo(github.deploymentsPath());
            JsonNode marker = create.body().path("payload").path("greenlight");
            assertThat(marker.path("deploymentId").asLong()).isEqualTo(id);
            assertThat(marker.path("mark").asText()).matches("[0-9a-f]{64}");
            assertThat(github.statusesTaken(MIRRORED_ID)).extracting(Received::state)
                    .containsExactly("in_progress", "success");
            for (Received status : github.statusesTaken(MIRRORED_ID)) {
                assertThat(status.body().path("log_url").asText()).isEqualTo(PUBLIC_URL + "/api/v1/deployments/" + id);
                assertThat(status.body().path("environment_url").asText()).isEqualTo(ENVIRONMENT_URL);
            }

            // GitHub then sends a deployment event for the deployment the mirror created: it must not deploy again
            ObjectNode echo = deploymentEvent(MIRRORED_ID, create.body().path("payload"));
            ((ObjectNode) echo.get("deployment")).put("environment", create.body().path("environment").asText());
            var ignored = GithubDelivery.of("deployment", echo).secret(SECRET).send(f.app);
            assertThat(ignored.statusCode()).as(ignored.body()).isEqualTo(200);
            assertThat(RollingFixture.json(ignored.body()).get("reason").asText())
                    .isEqualTo("GitHub deployment created by Greenlight itself (its deployment " + id + ")");
            Thread.sleep(1000); // several dispatcher and relay passes: nothing queued, nothing sent
            assertThat(deployments(f)).isEqualTo(1);
            assertThat(github.received()).hasSize(3);
        }
    }

    @Test
    void aWorkflowRunIsRefusedOrIgnoredWithItsReason() throws Exception {
        try (RollingFixture f = start()) {
            var refused = GithubDelivery.of("workflow_dispatch", dispatch(Map.of("version", "v1;touch /tmp/pwned")))
                    .secret(SECRET).send(f.app);
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(RollingFixture.json(refused.body()).get("error").asText()).isEqualTo("workflow input version: "
                    + "version \"v1;touch /tmp/pwned\" is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
            assertThat(Sql.count(f.db, "select count(*) from audit_log where action = 'webhook.refused' "
                    + "and actor = 'github:Codertocat' and detail like ?", "workflow input version:%"))
                    .isEqualTo(1);

            ObjectNode other = dispatch(Map.of("version", "2.1.0"));
            other.put("workflow", ".github/workflows/other.yml");
            assertIgnored(f, "workflow_dispatch", other,
                    "no environment of shop deploys on workflow .github/workflows/other.yml");
            assertIgnored(f, "workflow_dispatch", dispatch(Map.of("name", "Mona the Octocat")),
                    "workflow .github/workflows/deploy.yml was run without the input \"version\" that holds the "
                            + "version of shop/production");
            // GitHub's example as published: another repository
            assertIgnored(f, "workflow_dispatch", GithubDelivery.fixture("workflow_dispatch.json"),
                    "repository octo-org/octo-repo is not configured");
            assertThat(deployments(f)).isZero();
            assertThat(github.received()).isEmpty();
        }
    }

    @Test
    void aDeploymentEventDeploysAndItsStatusesArriveInOrderAfterGithubFailedTwice() throws Exception {
        try (RollingFixture f = start()) {
            github.failStatuses(2, 503);
            GithubDelivery created = GithubDelivery.of("deployment", deploymentEvent(EXAMPLE_ID, null)).secret(SECRET);
            var first = created.send(f.app);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            long id = RollingFixture.json(first.body()).get("deployments").get(0).get("id").asLong();
            assertThat(created.send(f.app).body()).isEqualTo(first.body());
            assertThat(deployments(f)).isEqualTo(1);

            JsonNode d = f.awaitEnd(id);
            assertThat(d.get("status").asText()).isEqualTo("succeeded");
            // no payload.version: the environment's version template, {{ref}}-{{sha7}}
            assertThat(d.get("version").asText()).isEqualTo("master-f95f852");
            assertThat(d.get("trigger").asText()).isEqualTo("deployment");
            assertThat(d.get("triggeredBy").asText()).isEqualTo("github:Codertocat");
            assertThat(d.get("commitSha").asText()).isEqualTo(EXAMPLE_SHA);
            assertThat(d.get("ref").asText()).isEqualTo("master");
            assertThat(d.get("githubDeploymentId").asLong()).isEqualTo(EXAMPLE_ID);
            assertThat(f.hosts.version(1)).isEqualTo("master-f95f852");

            await().atMost(Duration.ofSeconds(20)).until(() -> github.statusesTaken(EXAMPLE_ID).size() == 2);
            assertEveryRequestCarriesTheToken();
            List<Received> statuses = github.received().stream()
                    .filter(r -> r.path().equals(github.statusesPath(EXAMPLE_ID))).toList();
            assertThat(statuses).extracting(Received::state)
                    .containsExactly("in_progress", "in_progress", "in_progress", "success");
            assertThat(statuses).extracting(Received::answered).containsExactly(503, 503, 201, 201);
            JsonNode success = statuses.get(3).body();
            assertThat(success.path("log_url").asText()).isEqualTo(PUBLIC_URL + "/api/v1/deployments/" + id);
            assertThat(success.path("environment_url").asText()).isEqualTo(ENVIRONMENT_URL);
            assertThat(success.path("auto_inactive").asBoolean()).isTrue();
            assertThat(github.received()).as("GitHub's own deployment is not created again")
                    .noneMatch(r -> r.path().equals(github.deploymentsPath()));
            // the commit status of the deployed commit, once, though its event was tried three times
            assertThat(github.received()).filteredOn(r -> r.path().equals("/repos/acme/shop/statuses/" + EXAMPLE_SHA))
                    .extracting(Received::state).containsExactly("pending", "success");
            await().atMost(Duration.ofSeconds(5)).until(() -> f.app.bean("eventOutbox", EventOutbox.class).unsent() == 0);
        }
    }

    @Test
    void aDeploymentsPayloadVersionIsDeployedAndARollbackIsReportedAsAFailureWithItsReason() throws Exception {
        try (RollingFixture f = start()) {
            ObjectNode payload = GithubDelivery.MAPPER.createObjectNode().put("version", "1.0.0");
            long good = queued(GithubDelivery.of("deployment", deploymentEvent(1001, payload)).secret(SECRET).send(f.app));
            assertThat(f.awaitEnd(good).get("version").asText()).isEqualTo("1.0.0");

            f.hosts.unhealthyWhileRunning(1, "2.0.0");
            // the API also takes the payload as a string of JSON, as gh api -f payload=... sends it
            ObjectNode asText = deploymentEvent(1002, null);
            ((ObjectNode) asText.get("deployment")).put("payload", "{\"version\":\"2.0.0\"}");
            long bad = queued(GithubDelivery.of("deployment", asText).secret(SECRET).send(f.app));
            JsonNode d = f.awaitEnd(bad);
            assertThat(d.get("status").asText()).isEqualTo("rolled_back");

            await().atMost(Duration.ofSeconds(20)).until(() -> github.statusesTaken(1002).size() == 2);
            assertThat(github.statusesTaken(1002)).extracting(Received::state).containsExactly("in_progress", "failure");
            String description = github.statusesTaken(1002).get(1).body().path("description").asText();
            assertThat(description).startsWith("2.0.0 rolled back on production: ").hasSizeLessThanOrEqualTo(140);
            assertThat(d.get("detail").asText()).startsWith(description.substring(
                    "2.0.0 rolled back on production: ".length()).replace("…", ""));
            assertThat(github.statusesTaken(1001)).as("nothing replaced the first").extracting(Received::state)
                    .containsExactly("in_progress", "success");
        }
    }

    @Test
    void aDeploymentEventCancelledBeforeItStartedIsReportedAsAFailure() throws Exception {
        try (RollingFixture f = start()) {
            // no dispatcher pass: it stays queued
            f.app.context().getRouteController().stopRoute("dispatch-tick");
            f.app.context().getRouteController().stopRoute("dispatch-wake");
            long id = queued(GithubDelivery.of("deployment", deploymentEvent(EXAMPLE_ID, null)).secret(SECRET)
                    .send(f.app));
            var cancel = f.app.postJson("/api/v1/deployments/" + id + "/cancel", RollingFixture.TOKEN, "{}");
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(20)).until(() -> github.statusesTaken(EXAMPLE_ID).size() == 1);
            Received ended = github.statusesTaken(EXAMPLE_ID).get(0);
            assertThat(ended.state()).isEqualTo("failure");
            assertThat(ended.body().path("description").asText()).isEqualTo(
                    "master-f95f852 cancelled on production: cancelled by ci before it started");
        }
    }

    @Test
    void aDeploymentForAnotherGithubEnvironmentOrActionIsIgnoredAndOneWithoutAValidVersionRefused() throws Exception {
        try (RollingFixture f = start()) {
            ObjectNode badRef = deploymentEvent(EXAMPLE_ID, null);
            ((ObjectNode) badRef.get("deployment")).put("ref", "main;touch /tmp/pwned");
            var refused = GithubDelivery.of("deployment", badRef).secret(SECRET).send(f.app);
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(RollingFixture.json(refused.body()).get("error").asText()).isEqualTo("the version of "
                    + "shop/production ({{ref}}-{{sha7}}) needs {{ref}}: ref \"main;touch /tmp/pwned\" is not a branch "
                    + "or tag name (or give payload.version)");
            ObjectNode badVersion = deploymentEvent(EXAMPLE_ID, GithubDelivery.MAPPER.createObjectNode()
                    .put("version", "1.0.0 && reboot"));
            var refusedVersion = GithubDelivery.of("deployment", badVersion).secret(SECRET).send(f.app);
            assertThat(refusedVersion.statusCode()).isEqualTo(422);
            assertThat(RollingFixture.json(refusedVersion.body()).get("error").asText()).isEqualTo("version "
                    + "\"1.0.0 && reboot\" is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
            assertThat(Sql.count(f.db, "select count(*) from audit_log where action = 'webhook.refused'"))
                    .isEqualTo(2);

            ObjectNode staging = deploymentEvent(EXAMPLE_ID, null);
            ((ObjectNode) staging.get("deployment")).put("environment", "staging");
            assertIgnored(f, "deployment", staging, "no environment of shop deploys GitHub environment staging");
            ObjectNode edited = deploymentEvent(EXAMPLE_ID, null);
            edited.put("action", "edited");
            assertIgnored(f, "deployment", edited, "deployment action edited (only created deploys)");
            assertIgnored(f, "deployment", GithubDelivery.fixture("deployment.created.json"),
                    "repository Codertocat/Hello-World is not configured");
            assertThat(deployments(f)).isZero();
            assertThat(github.received()).isEmpty();
        }
    }

    private RollingFixture start() throws IOException {
        String github = "github: { token-env: GITHUB_TOKEN, api-url: \"" + this.github.url() + "\", public-url: \""
                + PUBLIC_URL + "\" }";
        String environment = """
                trigger:
                  - { workflow-dispatch: %s, version-input: version }
                  - { deployment: production }
                version: "{{ref}}-{{sha7}}"
                environment-url: %s
                """.formatted(WORKFLOW, ENVIRONMENT_URL);
        return RollingFixture.start(dir, 1, environment, Map.of("GREENLIGHT_WEBHOOK_SECRET", SECRET,
                        "GITHUB_TOKEN", GITHUB_TOKEN), "", github, null, null, b -> b, "",
                Map.of("greenlight.github-deployments.retry-delay", "200ms"), "production");
    }

    /** GitHub's workflow_dispatch example, run for acme/shop's deploy workflow with {@code inputs}. */
    private static ObjectNode dispatch(Map<String, String> inputs) {
        ObjectNode run = GithubDelivery.fixture("workflow_dispatch.json");
        ((ObjectNode) run.get("repository")).put("full_name", "acme/shop");
        run.put("workflow", WORKFLOW);
        ObjectNode in = run.putObject("inputs");
        inputs.forEach(in::put);
        return run;
    }

    /** GitHub's deployment example for acme/shop (environment production), with its id and payload replaced. */
    private static ObjectNode deploymentEvent(long id, JsonNode payload) {
        ObjectNode event = GithubDelivery.fixture("deployment.created.json");
        ((ObjectNode) event.get("repository")).put("full_name", "acme/shop");
        ObjectNode deployment = (ObjectNode) event.get("deployment");
        deployment.put("id", id);
        if (payload != null) deployment.set("payload", payload.deepCopy());
        return event;
    }

    private static long queued(java.net.http.HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return RollingFixture.json(r.body()).get("deployments").get(0).get("id").asLong();
    }

    private static void assertIgnored(RollingFixture f, String event, JsonNode payload, String reason) {
        var r = GithubDelivery.of(event, payload).secret(SECRET).send(f.app);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = RollingFixture.json(r.body());
        assertThat(body.get("status").asText()).isEqualTo("ignored");
        assertThat(body.get("reason").asText()).isEqualTo(reason);
    }

    private void assertEveryRequestCarriesTheToken() {
        assertThat(github.received()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.authorization()).isEqualTo("Bearer " + GITHUB_TOKEN);
            assertThat(r.accept()).isEqualTo("application/vnd.github+json");
            assertThat(r.apiVersion()).isEqualTo("2022-11-28");
        });
    }

    private static long deployments(RollingFixture f) {
        return Sql.count(f.db, "select count(*) from deployments");
    }
}
