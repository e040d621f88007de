package dev.greenlight.bluegreen;

import static dev.greenlight.bluegreen.BlueGreenFixture.stages;
import static dev.greenlight.bluegreen.BlueGreenFixture.steps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollback of a release that took traffic, with the app's database backed up and restored by the real
 * {@code pg_dump -Fc} and {@code pg_restore --clean --if-exists}, run over SSH on the backup host, against a scratch
 * PostgreSQL database of its own.
 */
class BlueGreenRollbackTest {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

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
        }
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
