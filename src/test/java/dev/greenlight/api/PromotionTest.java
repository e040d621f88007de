package dev.greenlight.api;

import static dev.greenlight.api.ApprovalFixture.ALICE;
import static dev.greenlight.api.ApprovalFixture.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.Sql;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code promotion: manual}: the pipeline waits with the idle colour deployed, before the switch, holding the lease;
 * a promote lets it switch, a cancel or the deadline stops it. And the {@code {"restore": true}} option of a manual
 * rollback. Real SSH hosts, real PostgreSQL, the whole service (lease TTL 3s, so the wait outlives several TTLs).
 */
class PromotionTest {
    @TempDir
    Path dir;
    ApprovalFixture f;

    @BeforeEach
    void start() throws Exception {
        f = ApprovalFixture.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
    }

    @Test
    void aDeploymentWaitsBeforeTheSwitchHoldingItsLeaseUntilPromoted() throws Exception {
        long id = f.deploy("preview", "3.0.0", ALICE);

        JsonNode waiting = f.awaitStatus(id, "awaiting_promotion");
        assertThat(waiting.get("decisionDeadline").asText()).isNotEmpty();
        assertThat(f.hosts.version(1)).as("the idle colour is deployed").isEqualTo("3.0.0");
        assertThat(f.hosts.version(2)).isEqualTo("3.0.0");
        assertThat(f.switched(1)).as("no traffic moved").isNull();
        Map<String, Object> lease = f.environmentState("preview");
        assertThat(lease.get("lease_holder")).as("the lease stays held").isNotNull();

        Thread.sleep(4500); // one and a half lease TTLs: only renewals keep it
        Map<String, Object> later = f.environmentState("preview");
        assertThat(later.get("lease_holder")).isEqualTo(lease.get("lease_holder"));
        assertThat((Timestamp) later.get("lease_expires_at")).isAfter((Timestamp) lease.get("lease_expires_at"));
        assertThat(f.status(id)).isEqualTo("awaiting_promotion");
        assertThat(f.switched(1)).isNull();
        JsonNode env = ApprovalFixture.json(f.app.get("/api/v1/environments", ALICE).body());
        JsonNode preview = null;
        for (JsonNode e : env.get("environments")) if (e.get("environment").asText().equals("preview")) preview = e;
        assertThat(preview.get("running").get("id").asLong()).isEqualTo(id);

        // any token allowed on the environment may promote, the one that triggered it too
        HttpResponse<String> promoted = f.post(id, "promote", ALICE, "{\"reason\":\"preview looks good\"}");
        assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);

        JsonNode done = f.awaitStatus(id, "succeeded");
        assertThat(done.get("promotedBy").asText()).isEqualTo("alice");
        assertThat(done.get("promotedAt").asText()).isNotEmpty();
        assertThat(done.get("startedAt").asText()).isEqualTo(waiting.get("startedAt").asText());
        assertThat(f.switched(1)).isEqualTo("3.0.0");
        assertThat(f.switched(2)).isEqualTo("3.0.0");
        assertThat(f.stages(id)).containsExactly("pre-check", "pre-check", "deploy", "deploy", "switch", "switch");
        assertThat(f.audit(id)).containsSubsequence("greenlight deployment.awaiting_promotion awaiting_promotion",
                "alice deployment.promoted promoted", "greenlight deployment.succeeded succeeded");
        assertThat(f.environmentState("preview").get("lease_holder")).as("freed at the end").isNull();
    }

    @Test
    void promoteOfADeploymentThatDoesNotAwaitPromotionIs409() {
        long id = f.deploy("production", "3.0.0", ALICE);
        f.awaitStatus(id, "awaiting_approval");

        HttpResponse<String> r = f.post(id, "promote", BOB, "");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("deployment " + id + " is awaiting_approval, not awaiting_promotion: it cannot "
                + "be promoted");
        assertThat(f.status(id)).isEqualTo("awaiting_approval");
    }

    @Test
    void aCancelWhileAwaitingPromotionStopsThePipelineBeforeTheSwitch() throws Exception {
        long id = f.deploy("preview", "3.0.0", ALICE);
        f.awaitStatus(id, "awaiting_promotion");

        HttpResponse<String> cancel = f.post(id, "cancel", BOB, "{\"reason\":\"found a bug in the preview\"}");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);

        JsonNode d = f.awaitStatus(id, "cancelled");
        assertThat(d.get("detail").asText()).startsWith("cancelled on request");
        assertThat(f.switched(1)).as("traffic never moved").isNull();
        assertThat(f.switched(2)).isNull();
        assertThat(f.stages(id)).doesNotContain("switch");
        assertThat(f.audit(id)).containsSubsequence("bob deployment.cancel-requested accepted",
                "greenlight deployment.promotion-cancelled running", "greenlight deployment.cancelled cancelled");
        assertThat(f.post(id, "promote", ALICE, "").statusCode()).isEqualTo(409);
        assertThat(f.environmentState("preview").get("lease_holder")).isNull();
    }

    @Test
    void aPromotionNobodyGivesInTimeStopsThePipeline() throws Exception {
        long id = f.deploy("preview", "3.0.0", ALICE);
        f.awaitStatus(id, "awaiting_promotion");

        Sql.update(f.db, "update deployments set decision_deadline = current_timestamp - interval '1' second "
                + "where id = ?", id);

        JsonNode d = f.awaitStatus(id, "cancelled");
        assertThat(d.get("detail").asText()).startsWith("promotion expired after 1h: nobody promoted it");
        assertThat(f.switched(1)).isNull();
        assertThat(f.audit(id)).contains("greenlight deployment.promotion-expired running");
    }

    @Test
    void aManualRollbackTakesRestoreTrueAndStoresIt() {
        // a live version to roll back to
        Sql.update(f.db, "update environment_state set live_version = '2.9.0' where app = 'shop' and environment = "
                + "'preview'");
        long id = f.deploy("preview", "3.0.0", ALICE);
        f.awaitStatus(id, "awaiting_promotion");
        assertThat(f.post(id, "promote", BOB, "").statusCode()).isEqualTo(200);
        f.awaitStatus(id, "succeeded");

        HttpResponse<String> typo = f.post(id, "rollback", BOB, "{\"restor\":true}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("unknown field \\\"restor\\\" (fields: reason, restore)");
        HttpResponse<String> notBoolean = f.post(id, "rollback", BOB, "{\"restore\":\"yes\"}");
        assertThat(notBoolean.statusCode()).isEqualTo(400);
        assertThat(notBoolean.body()).contains("field restore must be true or false");
        assertThat(Sql.count(f.db, "select count(*) from deployments where rollback_of = ?", id))
                .as("a refused request queues nothing").isZero();

        HttpResponse<String> r = f.post(id, "rollback", BOB, "{\"restore\":true,\"reason\":\"orders lost\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode rollback = ApprovalFixture.json(r.body());
        assertThat(rollback.get("restoreRequested").asBoolean()).isTrue();
        assertThat(rollback.get("version").asText()).isEqualTo("2.9.0");
        assertThat(Sql.rows(f.db, "select restore_requested from deployments where id = ?",
                rollback.get("id").asLong()).get(0).get("restore_requested")).isEqualTo(true);

        HttpResponse<String> plain = f.post(id, "rollback", BOB, "");
        assertThat(plain.statusCode()).isEqualTo(202);
        JsonNode plainRollback = ApprovalFixture.json(plain.body());
        assertThat(plainRollback.has("restoreRequested")).as("no restore unless asked").isFalse();
        assertThat(Sql.rows(f.db, "select restore_requested from deployments where id = ?",
                plainRollback.get("id").asLong()).get(0).get("restore_requested")).isEqualTo(false);
    }

    @Test
    void aDeploymentLeftAwaitingPromotionByADeadInstanceIsSettledLikeARunningOne() {
        // another instance's pipeline waited for a promotion and died: its lease has lapsed
        Sql.update(f.db, "insert into deployments (app, environment, version, strategy, trigger_kind, triggered_by, "
                + "status, created_at, started_at, decision_deadline) values ('shop', 'preview', '3.0.0', 'blue-green', "
                + "'manual', 'alice', 'awaiting_promotion', current_timestamp, current_timestamp, current_timestamp)");
        long id = ((Number) Sql.rows(f.db, "select max(id) as id from deployments").get(0).get("id")).longValue();
        Sql.update(f.db, "update environment_state set lease_holder = 'dead-instance', lease_expires_at = "
                + "current_timestamp - interval '1' second where app = 'shop' and environment = 'preview'");

        JsonNode d = f.awaitStatus(id, "failed");
        assertThat(d.get("detail").asText()).startsWith("interrupted while awaiting promotion");
        assertThat(f.environmentState("preview").get("lease_holder")).isNull();
        assertThat(f.audit(id)).contains("greenlight deployment.failed failed");
    }

    @Test
    void restoreIsRefusedWhereTheEnvironmentHasNoBackup() {
        Sql.update(f.db, "insert into deployments (app, environment, version, previous_version, strategy, "
                + "trigger_kind, triggered_by, status, created_at) values ('shop', 'staging', '1.1.0', '1.0.0', "
                + "'rolling', 'manual', 'alice', 'succeeded', current_timestamp)");
        long id = ((Number) Sql.rows(f.db, "select max(id) as id from deployments").get(0).get("id")).longValue();

        HttpResponse<String> r = f.post(id, "rollback", ALICE, "{\"restore\":true}");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("shop/staging has no database restore");
        assertThat(Sql.count(f.db, "select count(*) from deployments where rollback_of = ?", id)).isZero();
    }
}
