package dev.greenlight.api;

import static dev.greenlight.bluegreen.BlueGreenFixture.ALICE;
import static dev.greenlight.bluegreen.BlueGreenFixture.BOB;
import static dev.greenlight.bluegreen.BlueGreenFixture.OUTSIDER;
import static dev.greenlight.bluegreen.BlueGreenFixture.json;
import static dev.greenlight.bluegreen.BlueGreenFixture.stages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.bluegreen.BlueGreenFixture;
import dev.greenlight.testing.Sql;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code approval: required} on the blue-green pipeline: the deployment waits after its pre-checks, before anything
 * changes, without the lease and with the queue behind it held; a second token approves (it then runs afresh from its
 * pre-checks and switches) or rejects it; nobody deciding in time cancels it. Real SSH hosts, real colours, real
 * PostgreSQL, the whole service.
 */
class ApprovalTest {
    static final String APPROVAL = "approval: required\napproval-timeout: 1h\nwatch: { duration: 0s }\n";

    @TempDir
    Path dir;
    BlueGreenFixture f;

    private BlueGreenFixture start(String extras) throws IOException {
        f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(2, "", extras));
        return f;
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
    }

    @Test
    void aDeploymentWaitsForApprovalBeforeAnythingChangesAndRunsAfreshOnceAnotherTokenApproves() throws Exception {
        start(APPROVAL);
        long id = f.deploy("2.0.0", ALICE);

        JsonNode waiting = f.awaitStatus(id, "awaiting_approval");
        assertThat(stages(waiting)).as("only the pre-checks ran: one probe per host").containsExactly("pre-check",
                "pre-check");
        assertThat(f.log(1)).as("nothing deployed").isEmpty();
        assertThat(f.log(2)).isEmpty();
        assertThat(f.environmentState().get("lease_holder")).as("the lease is free").isNull();
        assertThat(waiting.get("decisionDeadline").asText()).isNotEmpty();
        assertThat(waiting.get("detail").asText()).contains("a token other than alice may approve it")
                .contains("within 1h");

        long behind = f.deploy("2.0.1", ALICE);
        Thread.sleep(1500); // seven dispatcher periods
        assertThat(f.status(behind)).as("the queue waits behind the deployment awaiting approval").isEqualTo("queued");
        assertThat(stages(f.deployment(behind))).isEmpty();

        HttpResponse<String> approved = f.post(id, "approve", BOB, "{\"reason\":\"change ticket 42\"}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(json(approved.body()).get("approvedBy").asText()).isEqualTo("bob");

        JsonNode done = f.awaitStatus(id, "succeeded");
        assertThat(done.get("approvedBy").asText()).isEqualTo("bob");
        assertThat(done.get("approvedAt").asText()).isNotEmpty();
        assertThat(done.has("decisionDeadline")).isFalse();
        List<String> stages = stages(done);
        assertThat(stages.subList(0, 4)).as("run again from the pre-checks").containsOnly("pre-check");
        assertThat(stages.subList(4, stages.size())).doesNotContain("pre-check")
                .containsSubsequence("deploy", "health", "switch", "live-health");
        for (int i = 1; i <= 2; i++) {
            assertThat(f.live(i)).as("host " + i).isEqualTo("blue");
            assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"2.0.0\"");
        }
        assertThat(f.audit(id)).containsSubsequence("alice deployment.queued accepted",
                "greenlight deployment.running running",
                "greenlight deployment.awaiting_approval awaiting_approval",
                "bob deployment.approved approved",
                "greenlight deployment.running running",
                "greenlight deployment.succeeded succeeded");
        assertThat(Sql.rows(f.db, "select detail from audit_log where action = 'deployment.approved' and "
                + "deployment_id = ?", id).get(0).get("detail")).isEqualTo("change ticket 42");

        // the next one starts once the first is done, and waits for its own approval
        f.awaitStatus(behind, "awaiting_approval");
        assertThat(stages(f.deployment(behind))).containsExactlyInAnyOrder("pre-check", "pre-check",
                "pre-check-live-health", "pre-check-live-health");
        assertThat(f.log(1)).noneMatch(line -> line.contains("2.0.1"));
    }

    @Test
    void theTokenThatTriggeredADeploymentMayNotApproveOrRejectIt() throws Exception {
        start(APPROVAL);
        long id = f.deploy("2.0.0", ALICE);
        f.awaitStatus(id, "awaiting_approval");

        HttpResponse<String> self = f.post(id, "approve", ALICE, "");
        assertThat(self.statusCode()).isEqualTo(403);
        assertThat(self.body()).contains("token alice triggered deployment " + id)
                .contains("may not approve it itself").contains("another token allowed on shop/production must");
        HttpResponse<String> selfReject = f.post(id, "reject", ALICE, "");
        assertThat(selfReject.statusCode()).isEqualTo(403);
        assertThat(selfReject.body()).contains("may not reject it itself").contains("cancel it instead");
        assertThat(f.post(id, "approve", OUTSIDER, "").statusCode()).as("a token of other environments does not see it")
                .isEqualTo(404);

        assertThat(f.status(id)).isEqualTo("awaiting_approval");
        assertThat(f.audit(id)).contains("alice approval.refused forbidden", "alice rejection.refused forbidden");
        assertThat(f.log(1)).isEmpty();
    }

    @Test
    void aRejectedDeploymentEndsCancelledWithTheReasonAndTheQueueMovesOn() throws Exception {
        start(APPROVAL);
        long id = f.deploy("2.0.0", ALICE);
        f.awaitStatus(id, "awaiting_approval");
        long behind = f.deploy("2.0.1", BOB);

        HttpResponse<String> rejected = f.post(id, "reject", BOB, "{\"reason\":\"not during the sale\"}");
        assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);

        JsonNode d = f.deployment(id);
        assertThat(d.get("status").asText()).isEqualTo("cancelled");
        assertThat(d.get("detail").asText()).isEqualTo("rejected by bob: not during the sale");
        assertThat(d.get("finishedAt").asText()).isNotEmpty();
        assertThat(f.audit(id)).contains("bob deployment.rejected cancelled");
        assertThat(Sql.count(f.db, "select count(*) from deployment_events where deployment_id = ? and kind = 'finished'",
                id)).as("its pending commit status is settled through the outbox").isEqualTo(1);

        f.awaitStatus(behind, "awaiting_approval");
        assertThat(f.log(1)).isEmpty();
        assertThat(f.post(id, "approve", BOB, "").statusCode()).isEqualTo(409);
    }

    @Test
    void anApprovalNobodyGivesInTimeEndsCancelled() throws Exception {
        start(APPROVAL);
        long id = f.deploy("2.0.0", ALICE);
        f.awaitStatus(id, "awaiting_approval");

        // the configured hour has passed, as far as the database's clock is concerned
        Sql.update(f.db, "update deployments set decision_deadline = current_timestamp - interval '1' second "
                + "where id = ?", id);

        JsonNode d = f.awaitStatus(id, "cancelled");
        assertThat(d.get("detail").asText()).isEqualTo("approval expired after 1h: nobody approved it");
        assertThat(f.audit(id)).contains("greenlight deployment.approval-expired cancelled");
        assertThat(f.log(1)).isEmpty();
        HttpResponse<String> late = f.post(id, "approve", BOB, "");
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.body()).contains("deployment " + id + " is cancelled, not awaiting_approval");
    }

    @Test
    void approveOrRejectOfADeploymentThatDoesNotAwaitApprovalIs409SayingItsStatus() throws Exception {
        start("promotion: manual\nwatch: { duration: 0s }\n"); // no approval required: it runs until its promotion point
        long id = f.deploy("2.0.0", ALICE);
        f.awaitStatus(id, "awaiting_promotion");

        HttpResponse<String> approve = f.post(id, "approve", BOB, "");
        assertThat(approve.statusCode()).isEqualTo(409);
        assertThat(approve.body()).contains("deployment " + id + " is awaiting_promotion, not awaiting_approval: it "
                + "cannot be approved");
        assertThat(f.post(id, "reject", BOB, "").statusCode()).isEqualTo(409);
        assertThat(f.status(id)).isEqualTo("awaiting_promotion");
    }

    @Test
    void aCancelOfADeploymentAwaitingApprovalEndsItAtOnce() throws Exception {
        start(APPROVAL);
        long id = f.deploy("2.0.0", ALICE);
        f.awaitStatus(id, "awaiting_approval");

        HttpResponse<String> cancel = f.post(id, "cancel", ALICE, "{\"reason\":\"wrong version\"}");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        assertThat(json(cancel.body()).get("status").asText()).isEqualTo("cancelled");
        assertThat(f.audit(id)).contains("alice deployment.cancelled cancelled");
        assertThat(f.log(1)).isEmpty();
    }

    @Test
    void theOpenApiDocumentDescribesTheDecisions() throws Exception {
        start(APPROVAL);
        JsonNode paths = json(f.app.get("/api/v1/openapi.json", null).body()).path("paths");
        for (String action : new String[] {"approve", "reject", "promote"}) {
            JsonNode post = paths.path("/api/v1/deployments/{id}/" + action).path("post");
            assertThat(post.isMissingNode()).as(action).isFalse();
            assertThat(post.path("summary").asText() + post.path("description").asText()).as(action)
                    .contains("409 unless it awaits");
        }
    }

    @Test
    void aDecisionWithAnUnknownFieldIsRefusedAndChangesNothing() throws Exception {
        start(APPROVAL);
        long id = f.deploy("2.0.0", ALICE);
        f.awaitStatus(id, "awaiting_approval");

        HttpResponse<String> typo = f.post(id, "approve", BOB, "{\"reasn\":\"ok\"}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("unknown field \\\"reasn\\\"").doesNotContain("Exception");
        assertThat(f.status(id)).isEqualTo("awaiting_approval");
        assertThat(f.post(id, "approve", BOB, "[1]").statusCode()).isEqualTo(400);
        assertThat(f.post(9_999_999, "approve", BOB, "").statusCode()).isEqualTo(404);
    }
}
