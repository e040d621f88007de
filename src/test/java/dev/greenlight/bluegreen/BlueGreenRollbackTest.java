package dev.greenlight.bluegreen;

import static dev.greenlight.bluegreen.BlueGreenFixture.stages;
import static dev.greenlight.bluegreen.BlueGreenFixture.steps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.Sql;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollback of a release that took traffic (automatic, from the watch, with its incident report; and manual, with
 * and without {@code "restore": true}), with the app's database backed up and restored by the real
 * {@code pg_dump -Fc} and {@code pg_restore --clean --if-exists}, run over SSH on the backup host, against a scratch
 * PostgreSQL database of its own.
 */
class BlueGreenRollbackTest {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    /** Manual rollbacks: no watch, and the old colour kept running. */
    private static final String MANUAL = """
            backup-host: SPARE_HOST_1
            watch: { duration: 0s }
            keep-previous: 10m
            """;

    @TempDir
    Path dir;

    private String database;
    private Path dumps;

    @BeforeEach
    void scratchDatabase() throws Exception {
        database = "bg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(SERVER + "test", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("create database " + database);
        }
        sql("create table notes (id serial primary key, note text not null)");
        dumps = Files.createDirectories(dir.resolve("dumps"));
    }

    @AfterEach
    void dropScratchDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "test", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
        }
    }

    private String commands() {
        return """
                backup: "pg_dump -Fc -h 127.0.0.1 -U postgres -f %1$s/{{backup}}.dump %2$s"
                restore: "pg_restore --clean --if-exists -h 127.0.0.1 -U postgres -d %2$s %1$s/{{backup}}.dump"
                """.formatted(dumps, database);
    }

    @Test
    void errorsRisingDuringTheWatchSwitchBackAndRestoreTheDatabaseSettingTheNewWritesAside() throws Exception {
        String extras = """
                backup-host: SPARE_HOST_1
                watch: { duration: 10s, interval: 200ms, max-errors: 3, errors-path: /health/errors }
                keep-previous: 10m
                """;
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, 1, commands(), extras)) {
            f.deployed("1.0.0");
            sql("insert into notes (note) values ('written by 1.0.0')");

            long id = f.deploy("2.0.0");
            // the release took traffic and the watch has read its baseline on host 1
            await().atMost(Duration.ofSeconds(60)).until(() -> "green".equals(f.live(1)) && "green".equals(f.live(2))
                    && !steps(f.deployment(id), "watch", "127.0.0.11").isEmpty());
            sql("insert into notes (note) values ('written by 2.0.0')");
            f.write(1, "errors-2.0.0", "57");
            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).startsWith("watch: 57 errors in ")
                    .contains("more than 3 allowed (last: /health/errors said errors=57 on 127.0.0.11");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("blue");
                assertThat(f.running(i, "green")).as("host " + i).isFalse();
                assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"1.0.0\"");
            }
            // the bad version's write is gone from the live database, and kept in the set-aside dump
            assertThat(notes()).containsExactly("written by 1.0.0");
            var row = f.row(id);
            String backup = row.get("backup_name").toString();
            String setAside = row.get("set_aside_name").toString();
            assertThat(setAside).matches("shop-production-" + id + "-\\d{8}T\\d{6}Z-set-aside");
            assertThat(dumpText(setAside)).contains("written by 2.0.0").contains("written by 1.0.0");
            assertThat(dumpText(backup)).contains("written by 1.0.0").doesNotContain("written by 2.0.0");
            assertThat((Timestamp) row.get("backup_at")).isBefore((Timestamp) row.get("switched_at"));
            assertThat((Timestamp) row.get("switched_at")).isBefore((Timestamp) row.get("set_aside_at"));
            // traffic goes back first, then the new colour stops, then the database, then health is proven
            assertThat(stages(d)).containsSubsequence("backup", "switch", "watch", "rollback-switch", "rollback-stop",
                    "set-aside", "restore", "rollback-health");
            String backupHost = f.hosts.hostList().get(2);
            assertThat(steps(d, "pre-check", null)).extracting(s -> s.get("host").asText()).contains(backupHost);
            assertThat(steps(d, "set-aside", null)).singleElement()
                    .satisfies(s -> assertThat(s.get("host").asText()).isEqualTo(backupHost))
                    .satisfies(s -> assertThat(s.get("status").asText()).isEqualTo("succeeded"));
            assertThat(steps(d, "restore", null)).singleElement()
                    .satisfies(s -> assertThat(s.get("host").asText()).isEqualTo(backupHost))
                    .satisfies(s -> assertThat(s.get("status").asText()).isEqualTo("succeeded"));
            assertThat(steps(d, "watch", null)).anyMatch(s -> s.get("status").asText().equals("failed")
                    && s.get("detail").asText().contains("/health/errors errors=57 (+57)"));
            assertThat(f.environmentState()).containsEntry("live_color", "blue").containsEntry("live_version", "1.0.0");

            // the incident report tells it from the records
            var report = f.app.get("/api/v1/deployments/" + id + "/incident", BlueGreenFixture.TOKEN);
            assertThat(report.statusCode()).isEqualTo(200);
            String md = report.body();
            String trigger = section(md, "What triggered the rollback");
            assertThat(trigger).contains("watch: 57 errors in ").contains("more than 3 allowed")
                    .contains("The failing step: **watch** on 127.0.0.11")
                    .contains("/health/errors errors=57 (+57)");
            String restored = section(md, "What was restored and set aside");
            assertThat(restored).contains("Database backup: `" + backup + "`, taken " + at(row.get("backup_at")))
                    .contains("Set aside before restoring: `" + setAside + "`, taken " + at(row.get("set_aside_at")))
                    .contains("The writes made from " + at(row.get("backup_at")) + " to " + at(row.get("set_aside_at"))
                            + " are no longer in the live database; they are in this dump.")
                    .contains("Restore of `" + backup + "`: **succeeded**, restored " + backup + ".");
            String end = section(md, "Final state");
            assertThat(end).contains("Status: **rolled_back**").contains("Live version: 1.0.0 (colour blue)")
                    .contains("Environment locked: no").contains("Writes set aside in `" + setAside + "`");

            // its rollback restored what it had written: a restore cannot be asked for again
            var again = f.post(id, "rollback", BlueGreenFixture.TOKEN, "{\"restore\":true}");
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(again.body()).contains("deployment " + id + " is rolled_back: restore is only for a rollback "
                    + "of a deployment that succeeded");
        }
    }

    @Test
    void aManualRollbackAskedToRestoreSwitchesBackThenRestoresTheRolledBackDeploymentsBackup() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, 1, commands(), MANUAL)) {
            f.deployed("1.0.0");
            sql("insert into notes (note) values ('written by 1.0.0')");
            long id = f.deployed("2.0.0");
            sql("insert into notes (note) values ('written by 2.0.0')");
            String backup = f.row(id).get("backup_name").toString();

            var r = f.post(id, "rollback", BlueGreenFixture.BOB, "{\"restore\":true,\"reason\":\"orders lost\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long rollback = BlueGreenFixture.json(r.body()).get("id").asLong();
            JsonNode d = f.awaitEnd(rollback);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("blue");
                assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"1.0.0\"");
                // blue still ran 1.0.0 (keep-previous): switched back, not deployed again
                assertThat(f.log(i)).as("host " + i).containsOnlyOnce("deploy blue 1.0.0 " + f.bluePort);
            }
            assertThat(notes()).containsExactly("written by 1.0.0");
            var row = f.row(rollback);
            assertThat(row).containsEntry("trigger_kind", "rollback").containsEntry("rollback_of", id)
                    .containsEntry("restore_requested", true);
            String setAside = row.get("set_aside_name").toString();
            assertThat(setAside).matches("shop-production-" + rollback + "-\\d{8}T\\d{6}Z-set-aside");
            assertThat(row.get("set_aside_at")).isNotNull();
            assertThat(dumpText(setAside)).contains("written by 2.0.0");
            assertThat(steps(d, "restore", null)).singleElement().satisfies(s -> assertThat(s.get("detail").asText())
                    .isEqualTo("restored " + backup + ", the backup of deployment " + id));
            assertThat(stages(d)).containsSubsequence("switch", "set-aside", "restore", "live-health");
            assertThat(f.environmentState()).containsEntry("live_color", "blue").containsEntry("live_version", "1.0.0");
        }
    }

    @Test
    void aManualRollbackNotAskedToRestoreLeavesTheDatabaseAndRedeploysAStoppedOldColour() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 2, 1, commands(),
                MANUAL.replace("keep-previous: 10m", "keep-previous: 0s"))) {
            f.deployed("1.0.0");
            sql("insert into notes (note) values ('written by 1.0.0')");
            long id = f.deployed("2.0.0");
            sql("insert into notes (note) values ('written by 2.0.0')");
            assertThat(f.running(1, "blue")).as("keep-previous 0s: the old colour is stopped").isFalse();

            var r = f.post(id, "rollback", BlueGreenFixture.BOB, "");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long rollback = BlueGreenFixture.json(r.body()).get("id").asLong();
            JsonNode d = f.awaitEnd(rollback);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            for (int i = 1; i <= 2; i++) {
                assertThat(f.live(i)).as("host " + i).isEqualTo("blue");
                assertThat(f.log(i)).as("host " + i).containsSubsequence("stop blue 1.0.0",
                        "deploy blue 1.0.0 " + f.bluePort, "switch blue " + f.bluePort);
                assertThat(f.liveAnswer(i)).startsWith("200").contains("\"version\":\"1.0.0\"");
            }
            assertThat(notes()).containsExactly("written by 1.0.0", "written by 2.0.0");
            assertThat(stages(d)).doesNotContain("set-aside", "restore");
            assertThat(f.row(rollback)).containsEntry("restore_requested", false).containsEntry("set_aside_name", null);
        }
    }

    @Test
    void restoreIsRefusedWhereTheEnvironmentHasNoDatabaseRestore() throws Exception {
        try (BlueGreenFixture f = BlueGreenFixture.start(dir, 1, "", "watch: { duration: 0s }")) {
            Sql.update(f.db, "insert into deployments (app, environment, version, previous_version, strategy, "
                    + "trigger_kind, triggered_by, status, created_at) values ('shop', 'production', '1.1.0', '1.0.0', "
                    + "'blue-green', 'manual', 'alice', 'succeeded', current_timestamp)");
            long id = ((Number) Sql.rows(f.db, "select max(id) as id from deployments").get(0).get("id")).longValue();

            var r = f.post(id, "rollback", BlueGreenFixture.ALICE, "{\"restore\":true}");
            assertThat(r.statusCode()).isEqualTo(422);
            assertThat(r.body()).contains("shop/production has no database restore");
            assertThat(Sql.count(f.db, "select count(*) from deployments where rollback_of = ?", id)).isZero();
        }
    }

    /** The Markdown section under {@code ## title}, up to the next one. */
    private static String section(String md, String title) {
        int start = md.indexOf("## " + title + "\n");
        assertThat(start).as("section " + title + " in:\n" + md).isNotNegative();
        int end = md.indexOf("\n## ", start + 3);
        return end < 0 ? md.substring(start) : md.substring(start, end);
    }

    /** A recorded time as the report writes it. */
    private static String at(Object timestamp) {
        return STAMP.format(((Timestamp) timestamp).toInstant());
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + database, "postgres", "");
             Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private List<String> notes() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(SERVER + database, "postgres", "");
             Statement s = c.createStatement(); var rs = s.executeQuery("select note from notes order by id")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** The dump as SQL, as pg_restore prints it. */
    private String dumpText(String name) throws Exception {
        Process p = new ProcessBuilder("pg_restore", "-f", "-", dumps.resolve(name + ".dump").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
