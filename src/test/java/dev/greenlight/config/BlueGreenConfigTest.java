package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of {@code strategy: blue-green}: read with their defaults, and every mistake a key-path error. */
class BlueGreenConfigTest {
    private static final String BASE = """
                    strategy: blue-green
                    hosts: [prod-1, prod-2]
                    ssh: { user: deploy, key-file: /keys/k, known-hosts: /keys/kh }
                    """;
    private static final String COLORS = """
                    colors: { blue: { port: 8081 }, green: { port: 8082 } }
                    """;
    private static final String COMMANDS = """
                    commands:
                      deploy: "PORT={{port}} IMAGE_TAG={{version}} docker compose -p app-{{color}} up -d --wait"
                      switch: "sudo greenlight-switch {{color}} {{port}}"
                      stop: "docker compose -p app-{{color}} stop"
                    """;
    private static final String HEALTH = """
                    health: { url: "http://{{host}}:{{port}}", paths: [/health] }
                    """;
    private static final String AT = "apps.shop.environments.production.";

    @TempDir
    Path dir;

    private Path production(String body) throws IOException {
        Path f = dir.resolve("greenlight.yaml");
        Files.writeString(f, """
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      production:
                """ + body.indent(8));
        return f;
    }

    private EnvironmentConfig load(String body) throws IOException {
        return ConfigLoader.load(production(body)).environment("shop", "production").orElseThrow();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(String body) throws IOException {
        Path f = production(body);
        return assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": " + AT)
                .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
    }

    @Test
    void theSmallestBlueGreenEnvironmentGetsTheDefaults() throws IOException {
        EnvironmentConfig env = load(BASE + COLORS + COMMANDS + HEALTH);

        BlueGreenSpec bg = env.blueGreen();
        assertThat(bg.colors()).containsExactly(new ColorSpec("blue", 8081), new ColorSpec("green", 8082));
        assertThat(bg.other(null)).isEqualTo(new ColorSpec("blue", 8081));
        assertThat(bg.other("blue")).isEqualTo(new ColorSpec("green", 8082));
        assertThat(bg.approvalRequired()).isFalse();
        assertThat(bg.approvalTimeout()).isEqualTo(Duration.ofHours(24));
        assertThat(bg.manualPromotion()).isFalse();
        assertThat(bg.backupHost()).isEqualTo(env.hosts().get(0));
        assertThat(bg.watch()).isEqualTo(new WatchSpec(Duration.ofMinutes(5), Duration.ofSeconds(10), 10, null,
                "errors", null));
        assertThat(bg.keepPrevious()).isEqualTo(Duration.ofMinutes(10));
        assertThat(bg.restoreOnFailedStart()).isFalse();
        assertThat(bg.liveUrl()).isNull();
        assertThat(env.batch().resolve(2)).as("every host at once by default").isEqualTo(2);
    }

    @Test
    void everyKeyOfTheDesignIsRead() throws IOException {
        EnvironmentConfig env = load(BASE + COLORS + """
                approval: required
                approval-timeout: 2h
                promotion: manual
                promotion-timeout: 30m
                backup-host: db-1:2222
                commands:
                  deploy: "PORT={{port}} IMAGE_TAG={{version}} docker compose -p app-{{color}} up -d --wait"
                  switch: "sudo greenlight-switch {{color}} {{port}}"
                  stop: "docker compose -p app-{{color}} stop"
                  backup: "pg_dump -Fc -f /var/backups/{{backup}}.dump app"
                  restore: "pg_restore --clean --if-exists -d app /var/backups/{{backup}}.dump"
                  after-rollback: "collect-logs {{deployment}} {{previous_color}}"
                health:
                  url: "http://{{host}}:{{port}}"
                  live-url: "http://{{host}}"
                  paths: [/health, /health/db]
                watch: { duration: 2m, interval: 5s, max-errors: 3, errors-path: /health/errors, errors-field: count, max-p95: 800ms }
                keep-previous: 1m
                restore-on-failed-start: true
                """);

        BlueGreenSpec bg = env.blueGreen();
        assertThat(bg.approvalRequired()).isTrue();
        assertThat(bg.approvalTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(bg.manualPromotion()).isTrue();
        assertThat(bg.promotionTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(bg.backupHost()).isEqualTo(new HostAddress("db-1", 2222));
        assertThat(bg.watch()).isEqualTo(new WatchSpec(Duration.ofMinutes(2), Duration.ofSeconds(5), 3,
                "/health/errors", "count", Duration.ofMillis(800)));
        assertThat(bg.keepPrevious()).isEqualTo(Duration.ofMinutes(1));
        assertThat(bg.restoreOnFailedStart()).isTrue();
        assertThat(bg.liveUrl().text()).isEqualTo("http://{{host}}");
        assertThat(env.command("backup").orElseThrow().names()).containsExactly("backup");
        assertThat(env.command("after-rollback").orElseThrow().names()).contains("deployment", "previous_color");
    }

    @Test
    void aWatchOfZeroIsNoWatch() throws IOException {
        assertThat(load(BASE + COLORS + COMMANDS + HEALTH + "watch: { duration: 0s }\n").blueGreen().watch()
                .enabled()).isFalse();
    }

    @Test
    void theColoursAreTwoWithTheirOwnPorts() throws IOException {
        refused(BASE + COMMANDS + HEALTH).hasMessageEndingWith(AT + "colors: is required for a blue-green "
                + "environment: two colours and their ports");
        refused(BASE + COMMANDS + HEALTH + "colors: { blue: { port: 8081 } }\n")
                .hasMessageEndingWith(AT + "colors: must name exactly two colours (for example blue and green)");
        refused(BASE + COMMANDS + HEALTH + "colors: { blue: { port: 8081 }, green: { port: 8081 } }\n")
                .hasMessageEndingWith(AT + "colors.green.port: is the port of blue too: each colour needs its own");
        refused(BASE + COMMANDS + HEALTH + "colors: { blue: { port: 8081 }, green: { port: 70000 } }\n")
                .hasMessageContaining(AT + "colors.green.port: ");
        refused(BASE + COMMANDS + HEALTH + "colors: { blue: { port: 8081 }, Green: { port: 8082 } }\n")
                .hasMessageContaining("colour name \"Green\" must be lower-case");
    }

    @Test
    void switchAndStopAreRequiredAndBackupComesWithRestore() throws IOException {
        refused(BASE + COLORS + HEALTH + "commands: { deploy: x, stop: y }\n")
                .hasMessageEndingWith(AT + "commands.switch: is required for a blue-green environment");
        refused(BASE + COLORS + HEALTH + "commands: { deploy: x, switch: y, stop: z, backup: b }\n")
                .hasMessageStartingWith(dir.resolve("greenlight.yaml") + ": " + AT + "commands.restore: is required "
                        + "with commands.backup");
        refused(BASE + COLORS + HEALTH + "commands: { deploy: x, switch: y, stop: z, before-host: b }\n")
                .hasMessageContaining(AT + "commands.before-host: is only for a rolling environment");
    }

    @Test
    void eachColourIsCheckedOnItsOwnAddress() throws IOException {
        refused(BASE + COLORS + COMMANDS).hasMessageContaining(AT + "health.url: is required for a blue-green "
                + "environment and must use {{port}}");
        refused(BASE + COLORS + COMMANDS + "health: { url: \"http://{{host}}:8080\", paths: [/health] }\n")
                .hasMessageContaining(AT + "health.url: is required");
        refused(BASE + COLORS + COMMANDS + "health: { url: \"http://{{host}}:{{port}}\", live-url: \"http://{{host}}:{{port}}\", paths: [/h] }\n")
                .hasMessageContaining(AT + "health.live-url: unknown placeholder {{port}}");
    }

    @Test
    void approvalPromotionAndTheWatchAreValidated() throws IOException {
        String ok = BASE + COLORS + COMMANDS + HEALTH;
        refused(ok + "approval: yes please\n").hasMessageEndingWith(AT + "approval: \"yes please\" is not one of none, "
                + "required");
        refused(ok + "promotion: later\n").hasMessageEndingWith(AT + "promotion: \"later\" is not one of auto, manual");
        refused(ok + "restore-on-failed-start: maybe\n").hasMessageEndingWith(AT + "restore-on-failed-start: must be "
                + "true or false");
        refused(ok + "watch: { duration: 10s, interval: 1m }\n").hasMessageEndingWith(AT + "watch.interval: is longer "
                + "than the watch's duration: not one probe would run");
        refused(ok + "watch: { errors-path: health/errors }\n").hasMessageEndingWith(AT + "watch.errors-path: must "
                + "start with /");
        refused(ok + "watch: { errors-field: count }\n").hasMessageEndingWith(AT + "watch.errors-field: needs "
                + "errors-path");
        refused(ok + "watch: { max-errors: -1 }\n").hasMessageContaining(AT + "watch.max-errors: ");
        refused(ok + "watch: { maxerrors: 1 }\n").hasMessageContaining(AT + "watch.maxerrors: unknown key");
    }

    @Test
    void theColourPlaceholdersAndBlueGreenKeysBelongToBlueGreen() throws IOException {
        String rolling = """
                hosts: [stg-1]
                ssh: { user: deploy, key-file: /keys/k, known-hosts: /keys/kh }
                """;
        refused(rolling + "commands: { deploy: \"run {{color}}\" }\n")
                .hasMessageContaining(AT + "commands.deploy: unknown placeholder {{color}}");
        refused(rolling + "commands: { deploy: x }\nwatch: { duration: 1m }\n")
                .hasMessageEndingWith(AT + "watch: is only for strategy: blue-green");
        refused(rolling + "commands: { deploy: x }\ncolors: { blue: { port: 1 }, green: { port: 2 } }\n")
                .hasMessageEndingWith(AT + "colors: is only for strategy: blue-green");
    }
}
