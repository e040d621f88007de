package dev.greenlight.bluegreen;

import static dev.greenlight.bluegreen.BlueGreenFixture.stages;
import static dev.greenlight.bluegreen.BlueGreenFixture.steps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.Sql;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The old colour after a release: kept running for keep-previous, then stopped; a rollback in that time only switches. */
class KeepPreviousTest {
    private static final String NO_WATCH = "watch: { duration: 0s }";

    @TempDir
    Path dir;

    @Test
    void theOldColourIsStoppedOnceKeepPreviousHasPassed() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, "", NO_WATCH + "\nkeep-previous: 2s")) {
            f.deployed("1.0.0");
            long id = f.deployed("2.0.0");
            Instant finished = Instant.parse(f.deployment(id).get("finishedAt").asText());

            await().atMost(Duration.ofSeconds(20)).until(() -> !f.running(1, "blue") && !f.running(2, "blue"));
            // the command has removed the file; its step is closed just after it returns
            await().atMost(Duration.ofSeconds(5)).until(() -> steps(f.deployment(id), "stop-previous", null).stream()
                    .filter(s -> !s.get("status").asText().equals("running")).count() == 2);

            JsonNode d = f.deployment(id);
            assertThat(d.get("status").asText()).isEqualTo("succeeded");
            assertThat(steps(d, "stop-previous", null)).hasSize(2).allSatisfy(s -> {
                assertThat(s.get("status").asText()).isEqualTo("succeeded");
                assertThat(Instant.parse(s.get("startedAt").asText())).isAfter(finished.plusMillis(1500));
            });
            for (int i = 1; i <= 2; i++) {
                assertThat(f.log(i)).as("host " + i).endsWith("stop blue 1.0.0");
                assertThat(f.live(i)).isEqualTo("green");
                assertThat(f.running(i, "green")).isTrue();
            }
            assertThat(Sql.rows(f.db, "select * from color_stops where deployment_id = ?", id)).singleElement()
                    .satisfies(r -> assertThat(r.get("done_at")).isNotNull())
                    .satisfies(r -> assertThat(r.get("outcome").toString()).startsWith("stopped on 127.0.0.11"));
            // the stop held the environment's lease only while it ran
            await().atMost(Duration.ofSeconds(5)).until(() -> f.environmentState().get("lease_holder") == null);
        }
    }

    @Test
    void withKeepPreviousZeroTheOldColourIsStoppedAsTheLastStep() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, "", NO_WATCH + "\nkeep-previous: 0s")) {
            f.deployed("1.0.0");
            long id = f.deployed("2.0.0");

            JsonNode d = f.deployment(id);
            assertThat(stages(d)).containsSubsequence("switch", "live-health", "stop-previous");
            assertThat(stages(d).get(stages(d).size() - 1)).isEqualTo("stop-previous");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.running(i, "blue")).as("host " + i).isFalse();
                assertThat(f.live(i)).isEqualTo("green");
            }
            assertThat(Sql.count(f.db, "select count(*) from color_stops")).isZero();
        }
    }

    @Test
    void aManualRollbackInsideKeepPreviousOnlySwitchesBack() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, "", NO_WATCH + "\nkeep-previous: 10m")) {
            f.deployed("1.0.0");
            long release = f.deployed("2.0.0");
            long blueDeploys = f.log(1).stream().filter(l -> l.startsWith("deploy blue")).count();

            var r = f.app.postJson("/api/v1/deployments/" + release + "/rollback", BlueGreenFixture.TOKEN, "{}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long rollback = BlueGreenFixture.json(r.body()).get("id").asLong();
            JsonNode d = f.awaitEnd(rollback);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            assertThat(d.get("version").asText()).isEqualTo("1.0.0");
            assertThat(stages(d)).doesNotContain("deploy").contains("health", "switch", "live-health");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("blue");
                assertThat(f.log(i)).as("host " + i).endsWith("switch blue " + f.bluePort);
                assertThat(f.liveAnswer(i)).contains("\"version\":\"1.0.0\"");
                // the release's colour is kept in turn, for keep-previous
                assertThat(f.running(i, "green")).isTrue();
            }
            assertThat(f.log(1).stream().filter(l -> l.startsWith("deploy blue")).count()).isEqualTo(blueDeploys);
            assertThat(f.row(rollback)).containsEntry("color", "blue").containsEntry("previous_color", "green");
            assertThat(f.environmentState()).containsEntry("live_color", "blue").containsEntry("live_version", "1.0.0");
            assertThat(Sql.rows(f.db, "select deployment_id, color, cancelled_at from color_stops order by id"))
                    .satisfiesExactly(
                            s -> assertThat(s).containsEntry("deployment_id", release).containsEntry("color", "blue")
                                    .doesNotContainEntry("cancelled_at", null),
                            s -> assertThat(s).containsEntry("deployment_id", rollback).containsEntry("color", "green")
                                    .containsEntry("cancelled_at", null));
        }
    }

    @Test
    void whenTheOldColourWasAlreadyStoppedTheRollbackDeploysItAgainBeforeSwitchingBack() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, "", NO_WATCH + "\nkeep-previous: 0s")) {
            f.deployed("1.0.0");
            // a cancel while the old colour is being stopped is honoured at the last cancel point, after the stop
            f.write(1, "stop-hook", "touch stopping; sleep 2\n");
            long id = f.deploy("2.0.0");
            await().atMost(Duration.ofSeconds(30)).until(() -> f.hosts.hostDir(1).resolve("stopping").toFile().exists());
            var r = f.app.postJson("/api/v1/deployments/" + id + "/cancel", BlueGreenFixture.TOKEN, "{}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(stages(d)).containsSubsequence("stop-previous", "rollback-deploy", "rollback-health",
                    "rollback-switch", "rollback-stop");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.log(i)).as("host " + i).containsSubsequence("stop blue 1.0.0",
                        "deploy blue 1.0.0 " + f.bluePort, "switch blue " + f.bluePort, "stop green 2.0.0");
                assertThat(f.live(i)).isEqualTo("blue");
                assertThat(f.running(i, "blue")).isTrue();
                assertThat(f.running(i, "green")).isFalse();
            }
        }
    }
}
