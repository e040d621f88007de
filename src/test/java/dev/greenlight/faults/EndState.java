package dev.greenlight.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestHosts;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Checks a cell's end state against {@link Expected}: the records (status, steps, outbox, incident report, lock), what
 * every host serves, and for blue-green the live colour and the database. {@code before} is what the environment
 * looked like when the cell started.
 */
final class EndState {
    private final MatrixWorld world;
    private final Cell cell;
    private final Expected expected;
    private final Before before;
    private final long id;

    /** The environment when a cell starts: its live version and colour, and the database's content. */
    record Before(String version, String colour, String database) {
        static Before read(MatrixWorld world, Pipeline pipeline) {
            return new Before(world.liveVersion(pipeline),
                    pipeline == Pipeline.BLUE_GREEN ? world.liveColour() : null, world.databaseContent());
        }
    }

    EndState(MatrixWorld world, Cell cell, Before before, long id) {
        this.world = world;
        this.cell = cell;
        this.expected = cell.fault().expected(cell.stage());
        this.before = before;
        this.id = id;
    }

    void check(JsonNode deployment) {
        assertThat(deployment.get("status").asText()).as("final status; %s", deployment.path("detail").asText())
                .isEqualTo(expected.status());
        records();
        if (cell.stage().pipeline() == Pipeline.ROLLING) rollingHosts();
        else blueGreenHosts();
    }

    private void records() {
        List<Map<String, Object>> steps = Sql.rows(world.db, "select stage, host, status, detail, finished_at from "
                + "deployment_steps where deployment_id = ? order by id", id);
        assertThat(steps).as("every step closed").allSatisfy(s -> assertThat(s.get("finished_at")).as(s.toString())
                .isNotNull());
        String host = TestHosts.address(cell.stage().host()) + ":";
        assertThat(steps).as("the failing step names the fault").anySatisfy(s -> {
            assertThat(s.get("stage")).isEqualTo(expected.failingStage());
            assertThat((String) s.get("host")).startsWith(host);
            assertThat(s.get("status")).isEqualTo(expected.stepStatus());
            assertThat((String) s.get("detail")).contains(expected.says());
        });
        assertThat(Sql.rows(world.db, "select kind from deployment_events where deployment_id = ?", id))
                .as("its end in the outbox").extracting(r -> r.get("kind")).contains("finished");
        assertThat(Sql.rows(world.db, "select event from notifications where deployment_id = ?", id))
                .as("a notification queued").extracting(r -> r.get("event")).contains(expected.notice());
        // the report is written just after the final status (routes/rollback.camel.yaml: finish, then the report)
        String reports = "select count(*) from incident_reports where deployment_id = ?";
        if (expected.incident()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Sql.count(world.db, reports, id))
                    .as("incident report").isEqualTo(1));
        } else {
            assertThat(Sql.count(world.db, reports, id)).as("incident report").isZero();
        }
        assertThat(world.lockedBy(cell.stage().pipeline())).as("environment lock")
                .isEqualTo(expected.locked() ? id : null);
        assertThat(world.liveVersion(cell.stage().pipeline())).as("the environment's live version")
                .isEqualTo(expected.releaseStands() ? cell.version() : before.version());
    }

    /**
     * What the recovery records (its instance's successor ended the deployment): the takeover audited once, naming
     * the dead instance and the plan; every host of the environment re-checked over SSH and what it was known to be
     * in recorded as a step; the deployment's detail saying it was recovered.
     */
    void recovery(JsonNode deployment, String deadHolder) {
        List<Map<String, Object>> recovering = Sql.rows(world.db, "select actor, detail from audit_log where "
                + "deployment_id = ? and action = 'deployment.recovering'", id);
        assertThat(recovering).as("the takeover audited once").hasSize(1);
        assertThat(recovering.get(0).get("actor")).isEqualTo("greenlight");
        assertThat((String) recovering.get(0).get("detail")).startsWith("instance " + deadHolder
                + " stopped while the deployment was running; instance ")
                .endsWith(" recovers it: its new version had not passed all its checks, so it is rolled back to "
                        + before.version())
                .doesNotContain("instance " + deadHolder + " recovers");
        assertThat(deployment.get("detail").asText()).as("the deployment's detail").startsWith("recovered after an "
                + "interruption: the Greenlight instance running it stopped while it was running");
        List<Integer> hosts = cell.stage().pipeline() == Pipeline.ROLLING ? List.of(1, 2) : List.of(3, 4);
        for (int i : hosts) {
            String host = TestHosts.address(i) + ":";
            List<Map<String, Object>> mine = Sql.rows(world.db, "select stage, status, detail from deployment_steps "
                    + "where deployment_id = ? and host like ? and stage in ('recovery-probe', 'recovery') order by id",
                    id, host + "%");
            assertThat(mine).as("host %d re-checked and what it was in recorded", i)
                    .extracting(s -> s.get("stage") + " " + s.get("status"))
                    .containsExactly("recovery-probe succeeded", "recovery succeeded");
            assertThat((String) mine.get(1).get("detail")).as("host %d's recovery step", i)
                    .startsWith("recovery: " + host).endsWith("; it answers over SSH");
        }
    }

    /** Every host on the previous version and serving it; a host the rollback could not reach as the fault left it. */
    private void rollingHosts() {
        for (int i = 1; i <= 2; i++) {
            String version = stranded(i) && cell.stage().hostChanged() ? cell.version() : before.version();
            assertThat(world.version(i)).as("host %d's version", i).isEqualTo(version);
            assertThat(world.answer(i)).as("what host %d serves", i).startsWith("200")
                    .contains("\"version\":\"" + version + "\"");
        }
    }

    private void blueGreenHosts() {
        String newColour = MatrixWorld.otherColour(before.colour());
        for (int i = 3; i <= 4; i++) {
            boolean onNew = expected.releaseStands() || stranded(i) && cell.stage().hostChanged();
            String colour = onNew ? newColour : before.colour();
            String version = onNew ? cell.version() : before.version();
            assertThat(world.live(i)).as("host %d's live colour", i).isEqualTo(colour);
            assertThat(world.answer(i)).as("what host %d's live path serves", i).startsWith("200")
                    .contains("\"version\":\"" + version + "\"");
            if (expected.releaseStands()) {
                assertThat(world.running(i, before.colour())).as("host %d's previous colour still runs", i)
                        .isEqualTo(i == cell.stage().host());
            } else if (!stranded(i)) {
                assertThat(world.running(i, newColour)).as("host %d's new colour stopped", i).isFalse();
            }
        }
        assertThat(world.liveColour()).as("the environment's live colour")
                .isEqualTo(expected.releaseStands() ? newColour : before.colour());
        database();
    }

    /** Restored from the backup where the design restores it (the set-aside dump keeps the writes); else untouched. */
    private void database() {
        long restores = Sql.count(world.db, "select count(*) from deployment_steps where deployment_id = ? and stage = "
                + "'restore' and status = 'succeeded'", id);
        if (expected.releaseStands()) {
            assertThat(world.databaseContent()).startsWith(before.database()).contains("traffic on " + cell.version());
            assertThat(restores).as("restores").isZero();
            return;
        }
        assertThat(world.databaseContent()).as("the database").isEqualTo(before.database());
        assertThat(restores).as("restores").isEqualTo(expected.restored() ? 1 : 0);
        if (expected.restored()) {
            String setAside = (String) Sql.rows(world.db, "select set_aside_name from deployments where id = ?", id)
                    .get(0).get("set_aside_name");
            assertThat(world.file(world.database.resolve(setAside))).as("the set-aside dump keeps the new writes")
                    .contains("traffic on " + cell.version());
        }
    }

    /** The host a failed rollback could not reach: it stays as the fault left it until someone puts it back. */
    private boolean stranded(int host) {
        return expected.locked() && host == cell.stage().host();
    }
}
