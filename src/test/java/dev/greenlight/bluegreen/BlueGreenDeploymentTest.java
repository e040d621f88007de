package dev.greenlight.bluegreen;

import static dev.greenlight.bluegreen.BlueGreenFixture.stages;
import static dev.greenlight.bluegreen.BlueGreenFixture.steps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.Sql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlueGreenDeploymentTest {
    /** Backup and restore that only say they ran: these tests are about the hosts and the traffic. */
    static final String BACKUP = """
            backup: "echo backup {{backup}} >> log"
            restore: "echo restore {{backup}} >> log"
            """;
    static final String WATCH = """
            watch: { duration: 1s, interval: 200ms, max-errors: 0, errors-path: /health/errors }
            """;

    @TempDir
    Path dir;

    @Test
    void aHealthyReleaseEndsWithTrafficOnTheNewColour() throws Exception {
        String smoke = "smoke:\n  - { name: answers, path: /health, body-contains: version }\n";
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH + "keep-previous: 10m\n" + smoke)) {
            long first = f.deployed("1.0.0");
            assertThat(f.row(first)).containsEntry("color", "blue").containsEntry("previous_color", null);
            assertThat(f.live(1)).isEqualTo("blue");

            long id = f.deploy("2.0.0");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("green");
                assertThat(f.log(i)).as("host " + i).contains("deploy green 2.0.0 " + f.greenPort,
                        "switch green " + f.greenPort);
                assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"2.0.0\"");
                // keep-previous: the old colour still runs, for an instant rollback
                assertThat(f.running(i, "blue")).isTrue();
            }
            assertThat(f.log(1).indexOf("deploy green 2.0.0 " + f.greenPort))
                    .isLessThan(f.log(1).indexOf("switch green " + f.greenPort));
            assertThat(f.environmentState()).containsEntry("live_color", "green").containsEntry("live_version", "2.0.0");
            assertThat(f.row(id)).containsEntry("color", "green").containsEntry("previous_color", "blue");
            assertThat(f.row(id).get("backup_name").toString()).matches("shop-production-" + id + "-\\d{8}T\\d{6}Z");
            assertThat(f.row(id).get("switched_at")).isNotNull();
            assertThat(f.log(1)).contains("backup " + f.row(id).get("backup_name"));
            assertThat(stages(d)).containsSubsequence("pre-check", "pre-check-live-health", "backup", "deploy",
                    "health", "switch", "live-health", "watch");
            // smoke tests call the idle colour, before the switch
            assertThat(steps(d, "smoke", null)).extracting(s -> s.get("host").asText())
                    .containsExactlyInAnyOrder("127.0.0.11:" + f.greenPort, "127.0.0.12:" + f.greenPort);
            assertThat(stages(d)).containsSubsequence("health", "smoke", "switch");
            assertThat(d.get("blueGreen").get("color").asText()).isEqualTo("green");
            assertThat(d.get("blueGreen").get("previousColor").asText()).isEqualTo("blue");
            assertThat(steps(d, "pre-check-live-health", null)).hasSize(2)
                    .allMatch(s -> s.get("detail").asText().startsWith("blue: /health 200"));
            assertThat(steps(d, "watch", null)).hasSizeGreaterThanOrEqualTo(4)
                    .allMatch(s -> s.get("status").asText().equals("succeeded"))
                    .allMatch(s -> s.get("detail").asText().contains("/health/errors errors=0 (+0)"));
            assertThat(Sql.count(f.db, "select count(*) from color_stops where deployment_id = ? and color = 'blue' "
                    + "and done_at is null and cancelled_at is null", id)).isEqualTo(1);
        }
    }

    @Test
    void anIdleColourThatNeverTurnsHealthyNeverMovesTrafficIsStoppedAndRestoresNothing() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH)) {
            f.deployed("1.0.0");
            f.write(2, "unhealthy-2.0.0", "");

            long id = f.deploy("2.0.0");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).contains("127.0.0.12").contains("unhealthy (attempt 3/3)");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("blue");
                assertThat(f.log(i)).as("host " + i).noneMatch(line -> line.startsWith("switch green"))
                        .contains("deploy green 2.0.0 " + f.greenPort, "stop green 2.0.0")
                        .noneMatch(line -> line.startsWith("restore"));
                assertThat(f.running(i, "green")).as("host " + i).isFalse();
                assertThat(f.running(i, "blue")).as("host " + i).isTrue();
                assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"1.0.0\"");
            }
            assertThat(steps(d, "health", "127.0.0.12")).extracting(s -> s.get("attempt").asInt())
                    .containsExactly(1, 2, 3);
            assertThat(steps(d, "switch", null)).isEmpty();
            assertThat(steps(d, "rollback-switch", null)).isEmpty();
            assertThat(steps(d, "rollback-stop", null)).hasSize(2)
                    .allMatch(s -> s.get("status").asText().equals("succeeded"));
            assertThat(steps(d, "set-aside", null)).isEmpty();
            assertThat(steps(d, "restore", null)).isEmpty();
            assertThat(steps(d, "rollback-health", null)).hasSize(2)
                    .allMatch(s -> s.get("status").asText().equals("succeeded"));
            assertThat(f.row(id).get("switched_at")).isNull();
            assertThat(f.environmentState()).containsEntry("live_color", "blue").containsEntry("live_version", "1.0.0");
        }
    }

    @Test
    void aFailedBackupStopsBeforeAnythingMoves() throws Exception {
        String backup = """
                backup: "test ! -e fail-backup || { echo 'pg_dump: connection refused' >&2; exit 1; }; echo backup {{backup}} >> log"
                restore: "echo restore {{backup}} >> log"
                """;
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, backup, WATCH)) {
            f.deployed("1.0.0");
            List<String> before1 = f.log(1);
            List<String> before2 = f.log(2);
            f.write(1, "fail-backup", "");

            long id = f.deploy("2.0.0");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).contains("backup on 127.0.0.11").contains("exited with status 1")
                    .endsWith("nothing was changed");
            JsonNode failed = steps(d, "backup", null).get(0);
            assertThat(failed.get("status").asText()).isEqualTo("failed");
            assertThat(failed.get("output").asText()).contains("connection refused");
            assertThat(stages(d)).doesNotContain("deploy", "switch", "rollback-stop", "restore");
            assertThat(f.log(1)).isEqualTo(before1);
            assertThat(f.log(2)).isEqualTo(before2);
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).isEqualTo("blue");
                assertThat(f.running(i, "green")).isFalse();
            }
            assertThat(f.environmentState()).containsEntry("live_color", "blue").containsEntry("live_version", "1.0.0");
        }
    }

    @Test
    void aSwitchThatFailsOnTheSecondHostPutsTheFirstBack() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH)) {
            f.deployed("1.0.0");
            f.write(2, "fail-switch-green", "");

            long id = f.deploy("2.0.0");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).contains("switch on 127.0.0.12").contains("exited with status 1");
            assertThat(f.log(1)).containsSubsequence("switch green " + f.greenPort, "switch blue " + f.bluePort,
                    "stop green 2.0.0");
            assertThat(f.live(1)).isEqualTo("blue");
            assertThat(f.live(2)).isEqualTo("blue");
            assertThat(f.liveAnswer(1)).contains("\"version\":\"1.0.0\"");
            // host 2's switch was attempted, so it is switched back too (a failed switch may have half-happened)
            assertThat(steps(d, "rollback-switch", null)).extracting(s -> s.get("host").asText().substring(0, 10))
                    .containsExactly("127.0.0.11", "127.0.0.12");
            assertThat(steps(d, "rollback-switch", null)).allMatch(s -> s.get("status").asText().equals("succeeded"));
            // traffic moved: the database goes back to the backup, after a set-aside dump
            assertThat(f.log(1)).containsSubsequence("backup " + f.row(id).get("backup_name"),
                    "backup " + f.row(id).get("set_aside_name"), "restore " + f.row(id).get("backup_name"));
            assertThat(f.row(id).get("set_aside_name").toString()).endsWith("-set-aside");
        }
    }

    @Test
    void aCancelBeforeTheSwitchStopsTheIdleColourAndEndsCancelled() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH)) {
            f.deployed("1.0.0");
            f.write(2, "deploy-hook", "touch started; sleep 2\n");
            long id = f.deploy("2.0.0");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(f.hosts.hostDir(2).resolve("started")));

            var r = f.app.postJson("/api/v1/deployments/" + id + "/cancel", BlueGreenFixture.TOKEN, "{}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("cancelled");
            assertThat(d.get("detail").asText()).startsWith("cancelled on request");
            assertThat(steps(d, "switch", null)).isEmpty();
            assertThat(steps(d, "restore", null)).isEmpty();
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("blue");
                assertThat(f.running(i, "green")).as("host " + i).isFalse();
                assertThat(f.log(i)).as("host " + i).endsWith("stop green 2.0.0");
            }
            assertThat(f.environmentState()).containsEntry("live_color", "blue").containsEntry("lease_holder", null);
        }
    }

    @Test
    void aFirstDeploymentThatFailsAfterDeployingItsColourStopsItAndEndsFailed() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH)) {
            f.write(2, "unhealthy-1.0.0", "");

            long id = f.deploy("1.0.0");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).contains("127.0.0.12").contains("unhealthy (attempt 3/3)")
                    .contains("no earlier deployment of this environment to return to: blue stopped on ");
            assertThat(d.get("detail").asText().substring(d.get("detail").asText().indexOf("blue stopped on ")))
                    .contains("127.0.0.11").contains("127.0.0.12");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.running(i, "blue")).as("host " + i).isFalse();
                assertThat(f.live(i)).as("host " + i).isNull();
                assertThat(f.log(i)).as("host " + i).containsSubsequence("deploy blue 1.0.0 " + f.bluePort,
                        "stop blue 1.0.0");
            }
            assertThat(steps(d, "rollback-stop", null)).hasSize(2)
                    .allMatch(s -> s.get("status").asText().equals("succeeded"));
            assertThat(stages(d)).doesNotContain("switch", "rollback-switch", "set-aside", "restore");
            assertThat(f.environmentState()).containsEntry("live_color", null).containsEntry("lease_holder", null);
        }
    }

    @Test
    void withRestoreOnFailedStartAnIdleColourThatNeverTookTrafficStillRestores() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH + "restore-on-failed-start: true")) {
            f.deployed("1.0.0");
            f.write(1, "unhealthy-2.0.0", "");

            long id = f.deploy("2.0.0");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(steps(d, "switch", null)).isEmpty();
            assertThat(f.row(id).get("switched_at")).isNull();
            assertThat(stages(d)).containsSubsequence("rollback-stop", "set-aside", "restore", "rollback-health");
            assertThat(f.log(1)).containsSubsequence("backup " + f.row(id).get("backup_name"),
                    "backup " + f.row(id).get("set_aside_name"), "restore " + f.row(id).get("backup_name"));
        }
    }

    @Test
    void anUnhealthyLiveColourStopsTheReleaseBeforeAnythingChanges() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH)) {
            f.deployed("1.0.0");
            List<String> before = f.log(2);
            f.write(2, "unhealthy-1.0.0", "");

            long id = f.deploy("2.0.0");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).startsWith("pre-check: the live colour blue on 127.0.0.12")
                    .endsWith("nothing was changed");
            assertThat(steps(d, "pre-check-live-health", "127.0.0.12")).singleElement()
                    .satisfies(s -> assertThat(s.get("detail").asText()).startsWith("blue: /health 503"));
            assertThat(stages(d)).doesNotContain("backup", "deploy", "switch");
            assertThat(f.log(2)).isEqualTo(before);
            assertThat(f.row(id).get("backup_name")).isNull();
        }
    }

    @Test
    void anEnvironmentThatAsksForApprovalIsNeverDeployedWithoutIt() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, BACKUP, WATCH + "approval: required")) {
            long first = f.deploy("1.0.0");
            f.awaitStatus(first, "awaiting_approval");
            assertThat(f.post(first, "approve", BlueGreenFixture.ALICE, "").statusCode()).isEqualTo(200);
            assertThat(f.awaitEnd(first).get("status").asText()).isEqualTo("succeeded");
            List<String> before1 = f.log(1);
            List<String> before2 = f.log(2);

            long id = f.deploy("2.0.0");
            JsonNode waiting = f.awaitStatus(id, "awaiting_approval");

            // the pre-checks ran, the live colour's health too; nothing else
            assertThat(stages(waiting)).containsExactlyInAnyOrder("pre-check", "pre-check", "pre-check-live-health",
                    "pre-check-live-health");
            assertThat(steps(waiting, "pre-check-live-health", null))
                    .allMatch(s -> s.get("detail").asText().startsWith("blue: /health 200"));
            assertThat(f.log(1)).isEqualTo(before1);
            assertThat(f.log(2)).isEqualTo(before2);
            assertThat(f.row(id).get("backup_name")).isNull();
            assertThat(f.environmentState()).containsEntry("live_color", "blue").containsEntry("lease_holder", null);
            assertThat(f.post(id, "approve", BlueGreenFixture.TOKEN, "").statusCode())
                    .as("the token that triggered it may not approve it").isEqualTo(403);
            assertThat(f.status(id)).isEqualTo("awaiting_approval");

            assertThat(f.post(id, "approve", BlueGreenFixture.BOB, "").statusCode()).isEqualTo(200);
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            assertThat(d.get("approvedBy").asText()).isEqualTo("bob");
            // approved, it ran afresh from its pre-checks
            assertThat(stages(d)).containsSubsequence("pre-check", "pre-check-live-health", "pre-check",
                    "pre-check-live-health", "backup", "deploy", "health", "switch", "live-health", "watch");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("green");
                assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"2.0.0\"");
            }
            assertThat(f.environmentState()).containsEntry("live_color", "green").containsEntry("live_version", "2.0.0");
        }
    }
}
