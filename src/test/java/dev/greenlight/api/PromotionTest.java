package dev.greenlight.api;

import static dev.greenlight.bluegreen.BlueGreenFixture.ALICE;
import static dev.greenlight.bluegreen.BlueGreenFixture.BOB;
import static dev.greenlight.bluegreen.BlueGreenFixture.json;
import static dev.greenlight.bluegreen.BlueGreenFixture.stages;
import static dev.greenlight.bluegreen.BlueGreenFixture.steps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.bluegreen.BlueGreenFixture;
import dev.greenlight.testing.Sql;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code promotion: manual} on the blue-green pipeline: it waits with the idle colour deployed and healthy, before the
 * switch, holding the lease; a promote lets it switch, a cancel or the deadline stops the idle colour. And the
 * {@code {"restore": true}} option of a manual rollback. Real SSH hosts, real colours, real PostgreSQL, the whole
 * service (lease TTL 3s, so the wait outlives several TTLs).
 */
class PromotionTest {
    /** Backup and restore that only say they ran. */
    static final String BACKUP = """
            backup: "echo backup {{backup}} >> log"
            restore: "echo restore {{backup}} >> log"
            """;

    @TempDir
    Path dir;
    BlueGreenFixture f;

    @BeforeEach
    void start() throws IOException {
        f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(2, 0, BACKUP,
                "promotion: manual\npromotion-timeout: 1h\nwatch: { duration: 0s }\n",
                Map.of("greenlight.lease.ttl", "3s")));
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
    }

    /** A first release, promoted: blue is live with {@code version}. */
    private long promoted(String version) {
        long id = f.deploy(version, ALICE);
        f.awaitStatus(id, "awaiting_promotion");
        assertThat(f.post(id, "promote", BOB, "").statusCode()).isEqualTo(200);
        f.awaitStatus(id, "succeeded");
        return id;
    }

    @Test
    void aDeploymentWaitsBeforeTheSwitchHoldingItsLeaseUntilPromoted() throws Exception {
        promoted("2.0.0");
        long id = f.deploy("3.0.0", ALICE);

        JsonNode waiting = f.awaitStatus(id, "awaiting_promotion");
        assertThat(waiting.get("decisionDeadline").asText()).isNotEmpty();
        for (int i = 1; i <= 2; i++) {
            assertThat(f.log(i)).as("the idle colour is deployed").contains("deploy green 3.0.0 " + f.greenPort);
            assertThat(f.live(i)).as("no traffic moved").isEqualTo("blue");
        }
        assertThat(steps(waiting, "health", null)).as("the idle colour is healthy on its own port").hasSize(2)
                .allMatch(s -> s.get("status").asText().equals("succeeded"));
        assertThat(stages(waiting)).doesNotContain("switch");
        Map<String, Object> lease = f.environmentState();
        assertThat(lease.get("lease_holder")).as("the lease stays held").isNotNull();

        Thread.sleep(4500); // one and a half lease TTLs: only renewals keep it
        Map<String, Object> later = f.environmentState();
        assertThat(later.get("lease_holder")).isEqualTo(lease.get("lease_holder"));
        assertThat((Timestamp) later.get("lease_expires_at")).isAfter((Timestamp) lease.get("lease_expires_at"));
        assertThat(f.status(id)).isEqualTo("awaiting_promotion");
        assertThat(f.live(1)).isEqualTo("blue");
        JsonNode env = json(f.app.get("/api/v1/environments", ALICE).body());
        JsonNode production = null;
        for (JsonNode e : env.get("environments")) if (e.get("environment").asText().equals("production")) production = e;
        assertThat(production.get("running").get("id").asLong()).isEqualTo(id);

        // any token allowed on the environment may promote, the one that triggered it too
        HttpResponse<String> promoted = f.post(id, "promote", ALICE, "{\"reason\":\"preview looks good\"}");
        assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);

        JsonNode done = f.awaitStatus(id, "succeeded");
        assertThat(done.get("promotedBy").asText()).isEqualTo("alice");
        assertThat(done.get("promotedAt").asText()).isNotEmpty();
        assertThat(done.get("startedAt").asText()).isEqualTo(waiting.get("startedAt").asText());
        for (int i = 1; i <= 2; i++) {
            assertThat(f.live(i)).as("host " + i).isEqualTo("green");
            assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"3.0.0\"");
        }
        assertThat(stages(done)).containsSubsequence("pre-check", "backup", "deploy", "health", "switch",
                "live-health");
        assertThat(steps(done, "switch", null)).hasSize(2);
        assertThat(f.audit(id)).containsSubsequence("greenlight deployment.awaiting_promotion awaiting_promotion",
                "alice deployment.promoted promoted", "greenlight deployment.succeeded succeeded");
        assertThat(f.environmentState().get("lease_holder")).as("freed at the end").isNull();
    }

    @Test
    void promoteOfADeploymentThatDoesNotAwaitPromotionIs409() {
        long id = promoted("2.0.0");

        HttpResponse<String> r = f.post(id, "promote", BOB, "");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("deployment " + id + " is succeeded, not awaiting_promotion: it cannot "
                + "be promoted");
    }

    @Test
    void aCancelWhileAwaitingPromotionStopsTheIdleColourAndEndsCancelled() throws Exception {
        promoted("2.0.0");
        long id = f.deploy("3.0.0", ALICE);
        f.awaitStatus(id, "awaiting_promotion");

        HttpResponse<String> cancel = f.post(id, "cancel", BOB, "{\"reason\":\"found a bug in the preview\"}");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);

        JsonNode d = f.awaitStatus(id, "cancelled");
        assertThat(d.get("detail").asText()).startsWith("cancelled on request");
        for (int i = 1; i <= 2; i++) {
            assertThat(f.live(i)).as("traffic never moved").isEqualTo("blue");
            assertThat(f.running(i, "green")).as("the idle colour is stopped").isFalse();
            assertThat(f.log(i)).endsWith("stop green 3.0.0");
            assertThat(f.liveAnswer(i)).contains("\"version\":\"2.0.0\"");
        }
        assertThat(stages(d)).doesNotContain("switch", "restore");
        assertThat(steps(d, "rollback-stop", null)).hasSize(2);
        assertThat(f.audit(id)).containsSubsequence("bob deployment.cancel-requested accepted",
                "greenlight deployment.promotion-cancelled running", "greenlight deployment.cancelled cancelled");
        assertThat(f.post(id, "promote", ALICE, "").statusCode()).isEqualTo(409);
        assertThat(f.environmentState().get("lease_holder")).isNull();
    }

    @Test
    void aPromotionNobodyGivesInTimeStopsTheIdleColour() throws Exception {
        promoted("2.0.0");
        long id = f.deploy("3.0.0", ALICE);
        f.awaitStatus(id, "awaiting_promotion");

        Sql.update(f.db, "update deployments set decision_deadline = current_timestamp - interval '1' second "
                + "where id = ?", id);

        JsonNode d = f.awaitStatus(id, "cancelled");
        assertThat(d.get("detail").asText()).startsWith("promotion expired after 1h: nobody promoted it");
        for (int i = 1; i <= 2; i++) {
            assertThat(f.live(i)).as("traffic never moved").isEqualTo("blue");
            assertThat(f.running(i, "green")).as("the idle colour is stopped").isFalse();
            assertThat(f.running(i, "blue")).isTrue();
        }
        assertThat(f.audit(id)).contains("greenlight deployment.promotion-expired running");
    }

    @Test
    void aManualRollbackTakesRestoreTrueAndStoresIt() {
        promoted("2.9.0");
        long id = promoted("3.0.0");

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
        JsonNode rollback = json(r.body());
        assertThat(rollback.get("restoreRequested").asBoolean()).isTrue();
        assertThat(rollback.get("version").asText()).isEqualTo("2.9.0");
        assertThat(f.row(rollback.get("id").asLong()).get("restore_requested")).isEqualTo(true);

        HttpResponse<String> plain = f.post(id, "rollback", BOB, "");
        assertThat(plain.statusCode()).isEqualTo(202);
        JsonNode plainRollback = json(plain.body());
        assertThat(plainRollback.has("restoreRequested")).as("no restore unless asked").isFalse();
        assertThat(f.row(plainRollback.get("id").asLong()).get("restore_requested")).isEqualTo(false);
    }

    @Test
    void aDeploymentLeftAwaitingPromotionByADeadInstanceIsRecoveredLikeARunningOne() {
        // another instance's pipeline waited for a promotion and died: its lease has lapsed
        Sql.update(f.db, "insert into deployments (app, environment, version, strategy, trigger_kind, triggered_by, "
                + "status, created_at, started_at, decision_deadline) values ('shop', 'production', '3.0.0', "
                + "'blue-green', 'manual', 'alice', 'awaiting_promotion', current_timestamp, current_timestamp, "
                + "current_timestamp)");
        long id = ((Number) Sql.rows(f.db, "select max(id) as id from deployments").get(0).get("id")).longValue();
        Sql.update(f.db, "update environment_state set lease_holder = 'dead-instance', lease_expires_at = "
                + "current_timestamp - interval '1' second where app = 'shop' and environment = 'production'");

        JsonNode d = f.awaitStatus(id, "failed");
        assertThat(d.get("detail").asText()).startsWith("recovered after an interruption: the Greenlight instance "
                + "running it stopped while it was awaiting_promotion").endsWith("; nothing was changed");
        assertThat(f.environmentState().get("lease_holder")).isNull();
        assertThat(f.audit(id)).contains("greenlight deployment.recovering recovering")
                .contains("greenlight deployment.failed failed");
    }
}
