package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Greenlight process killed with SIGKILL in the middle of a deployment, and started again on the same PostgreSQL
 * database: the new process finds the interrupted deployment once the dead one's lease has lapsed (a 3 s TTL here),
 * re-checks its hosts, rolls it back (a first deployment, with nothing to return to, ends failed) and records all of
 * it. The hosts are real SSH servers running real shell commands; what they run is read from the files those
 * commands write. A deploy command that waits for a file holds the pipeline at the chosen step while the process is
 * killed.
 */
class RecoveryTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String TOKEN = "test-token-0123456789";

    @TempDir
    Path dir;
    TestDatabase db;
    TestHosts hosts;
    ChildGreenlight child;
    int port;
    int managementPort;

    @BeforeEach
    void setUp() throws IOException {
        db = TestDatabase.postgres();
        hosts = TestHosts.start(dir.resolve("hosts"), 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (child != null) child.close();
        for (int i = 1; i <= 2; i++) Files.writeString(hosts.hostDir(i).resolve("go"), ""); // ends a waiting command
        hosts.close();
        db.close();
    }

    /**
     * Rolling, one host at a time: the first host runs 2.0.0, the second is in the middle of its deploy (its version
     * file already says 2.0.0) when the process is killed. The recovery puts both back on 1.0.0.
     */
    @Test
    void aRollingDeploymentKilledMidBatchIsRolledBackByTheNextStart() throws Exception {
        Path config = rollingHeldOnHost2();
        child = start(config);
        seedLive("1.0.0", null);
        for (int i = 1; i <= 2; i++) hosts.setVersion(i, "1.0.0");

        long id = deployHeldOnHost2();
        Recovered recovered = killAndRecover(config, id, "running", "rolled_back");
        String deadHolder = recovered.deadHolder();
        assertThat(recovered.deployment().get("detail").asText()).endsWith("back on 1.0.0");
        assertThat(hosts.version(1)).isEqualTo("1.0.0");
        assertThat(hosts.version(2)).isEqualTo("1.0.0");
        assertRecorded(id, deadHolder, "its new version had not passed all its checks, so it is rolled back to 1.0.0");
        assertThat(stepStatuses(id)).contains("deploy " + host(2) + " interrupted", "recovery-probe " + host(1)
                + " succeeded", "recovery " + host(1) + " succeeded", "recovery " + host(2) + " succeeded",
                "rollback " + host(1) + " succeeded", "rollback " + host(2) + " succeeded");
        assertThat(stepDetail(id, "recovery", host(2))).isEqualTo("recovery: " + host(2) + " was changed by this "
                + "deployment (its last step: deploy interrupted); it may run 2.0.0; it answers over SSH");
    }

    /**
     * The same crash in the environment's first deployment: there is no earlier version to go back to, so the
     * recovery ends it failed and leaves both hosts on what they had reached, and the environment is free for the
     * next deployment.
     */
    @Test
    void aFirstRollingDeploymentKilledMidBatchEndsFailedWithItsHostsLeftAsTheyAre() throws Exception {
        Path config = rollingHeldOnHost2();
        child = start(config);

        long id = deployHeldOnHost2();
        Recovered recovered = killAndRecover(config, id, "running", "failed");
        assertThat(recovered.deployment().get("detail").asText()).isEqualTo("recovered after an interruption: the "
                + "Greenlight instance running it stopped while it was running, before the new version had passed all "
                + "its checks; no earlier successful deployment of this environment to roll back to: " + host(1)
                + ", " + host(2) + " left as they are");
        assertThat(hosts.version(1)).as("left as it is").isEqualTo("2.0.0");
        assertThat(hosts.version(2)).as("left as it is").isEqualTo("2.0.0");
        assertThat(hosts.history(1)).as("deployed once, nothing run again").containsExactly("2.0.0");
        assertRecorded(id, recovered.deadHolder(), "running",
                "a first deployment has nothing to return to: it ends failed (a blue-green one's colour is stopped)",
                "failed");
        assertThat(stepStatuses(id)).contains("deploy " + host(2) + " interrupted", "recovery-probe " + host(1)
                + " succeeded", "recovery-probe " + host(2) + " succeeded", "recovery " + host(1) + " succeeded",
                "recovery " + host(2) + " succeeded").noneMatch(s -> s.startsWith("rollback"));
        assertThat(stepDetail(id, "recovery", host(1))).isEqualTo("recovery: " + host(1) + " was changed by this "
                + "deployment (its last step: health succeeded); it may run 2.0.0; it answers over SSH");

        long next = deploy("2.0.1");
        JsonNode d = awaitEnd(next);
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
        assertThat(hosts.version(1)).isEqualTo("2.0.1");
        assertThat(hosts.version(2)).isEqualTo("2.0.1");
    }

    /**
     * Blue-green: the switch to green is done on both hosts and the watch runs when the process is killed. The
     * recovery switches traffic back to blue, stops green and restores the database after a set-aside dump.
     */
    @Test
    void aBlueGreenDeploymentKilledDuringItsWatchIsSwitchedBackAndRestoredByTheNextStart() throws Exception {
        Path config = blueGreenConfig("watch: { duration: 10m, interval: 1s, max-errors: 0 }");
        child = start(config);
        seedBlueLive();

        long id = deploy("2.0.0");
        await().atMost(Duration.ofSeconds(120)).until(() -> Sql.count(db, "select count(*) from deployment_steps "
                + "where deployment_id = ? and (stage = 'watch' or status = 'failed')", id) > 0);
        assertThat(stepStatuses(id)).as("watching").contains("watch " + host(1) + " succeeded");
        assertThat(live(1)).isEqualTo("green");
        assertThat(live(2)).isEqualTo("green");
        String backup = (String) Sql.rows(db, "select backup_name from deployments where id = ?", id).get(0)
                .get("backup_name");
        assertThat(backup).isNotNull();
        String deadHolder = killAndRecover(config, id, "running", "rolled_back").deadHolder();
        for (int i = 1; i <= 2; i++) {
            assertThat(live(i)).as("traffic back on host " + i).isEqualTo("blue");
            assertThat(Files.exists(hosts.hostDir(i).resolve("green/running"))).as("green stopped").isFalse();
            assertThat(Files.readString(hosts.hostDir(i).resolve("blue/version")).trim()).isEqualTo("1.0.0");
        }
        assertThat(Files.readString(hosts.hostDir(1).resolve("restores")).trim()).as("restored from its backup")
                .isEqualTo(backup);
        assertThat(Files.readString(hosts.hostDir(1).resolve("backups")).lines().toList())
                .as("the backup, then the set-aside dump").hasSize(2).first().isEqualTo(backup);
        assertRecorded(id, deadHolder, "its new version had not passed all its checks, so it is rolled back to 1.0.0");
        assertThat(stepStatuses(id)).contains("rollback-switch " + host(1) + " succeeded",
                "rollback-switch " + host(2) + " succeeded", "rollback-stop " + host(1) + " succeeded",
                "set-aside " + host(1) + " succeeded", "restore " + host(1) + " succeeded");
        assertThat(stepDetail(id, "recovery", host(2))).startsWith("recovery: " + host(2) + " was changed by this "
                + "deployment").contains("; its traffic was switched to green; it answers over SSH");
    }

    /**
     * Blue-green with {@code promotion: manual}: green is deployed and healthy on both hosts and the deployment awaits
     * its promote when the process is killed. Nothing took traffic, so the recovery stops green and leaves blue live
     * and the database alone: the release is rolled back, and it can be deployed again and promoted.
     */
    @Test
    void aBlueGreenDeploymentKilledWhileAwaitingPromotionIsRolledBackWithTrafficNeverMoved() throws Exception {
        Path config = blueGreenConfig("promotion: manual");
        child = start(config);
        seedBlueLive();

        long id = deploy("2.0.0");
        await().atMost(Duration.ofSeconds(120)).until(() -> "awaiting_promotion".equals(Sql.rows(db,
                "select status from deployments where id = ?", id).get(0).get("status")));
        for (int i = 1; i <= 2; i++) {
            assertThat(Files.exists(hosts.hostDir(i).resolve("green/running"))).as("green up on host " + i).isTrue();
            assertThat(live(i)).isEqualTo("blue");
        }
        String deadHolder = killAndRecover(config, id, "awaiting_promotion", "rolled_back").deadHolder();
        for (int i = 1; i <= 2; i++) {
            assertThat(live(i)).as("traffic never left blue on host " + i).isEqualTo("blue");
            assertThat(Files.exists(hosts.hostDir(i).resolve("green/running"))).as("green stopped").isFalse();
            assertThat(Files.exists(hosts.hostDir(i).resolve("blue/running"))).as("blue still runs").isTrue();
            assertThat(Files.readString(hosts.hostDir(i).resolve("log"))).as("no switch on host " + i)
                    .doesNotContain("switch");
        }
        assertThat(hosts.hostDir(1).resolve("restores")).as("the database is left alone").doesNotExist();
        assertRecorded(id, deadHolder, "awaiting_promotion",
                "its new version had not passed all its checks, so it is rolled back to 1.0.0", "rolled_back");
        assertThat(stepStatuses(id)).contains("rollback-stop " + host(1) + " succeeded",
                "rollback-stop " + host(2) + " succeeded");
        assertThat(Sql.count(db, "select count(*) from audit_log where deployment_id = ? and action = "
                + "'deployment.awaiting_promotion'", id)).isEqualTo(1);
    }

    /**
     * Blue-green, the environment's first deployment: blue (the first colour, nothing is live) is deployed and healthy
     * on both hosts and the deployment awaits its promote when the process is killed. There is no previous colour to
     * send traffic back to and no earlier release whose database the backup would bring back, so the recovery stops
     * blue, switches nothing, restores nothing and ends the deployment failed, the environment still with no live
     * version.
     */
    @Test
    void aFirstBlueGreenDeploymentKilledWhileAwaitingPromotionEndsFailedWithItsColourStopped() throws Exception {
        Path config = blueGreenConfig("promotion: manual");
        child = start(config);

        long id = deploy("2.0.0");
        await().atMost(Duration.ofSeconds(120)).until(() -> "awaiting_promotion".equals(Sql.rows(db,
                "select status from deployments where id = ?", id).get(0).get("status")));
        for (int i = 1; i <= 2; i++) {
            assertThat(Files.exists(hosts.hostDir(i).resolve("blue/running"))).as("blue up on host " + i).isTrue();
        }
        assertThat(Files.readString(hosts.hostDir(1).resolve("backups")).lines().toList()).as("its backup")
                .hasSize(1);
        Recovered recovered = killAndRecover(config, id, "awaiting_promotion", "failed");
        assertThat(recovered.deployment().get("detail").asText()).isEqualTo("recovered after an interruption: the "
                + "Greenlight instance running it stopped while it was awaiting_promotion, before the new version had "
                + "passed all its checks; no earlier deployment of this environment to return to: blue stopped on "
                + host(1) + ", " + host(2));
        for (int i = 1; i <= 2; i++) {
            assertThat(Files.exists(hosts.hostDir(i).resolve("blue/running"))).as("blue stopped on host " + i)
                    .isFalse();
            assertThat(Files.readString(hosts.hostDir(i).resolve("log")).lines().toList()).as("host " + i)
                    .containsExactly("stop blue");
            assertThat(hosts.hostDir(i).resolve("live")).as("no switch on host " + i).doesNotExist();
        }
        assertThat(hosts.hostDir(1).resolve("restores")).as("nothing restored").doesNotExist();
        assertThat(Files.readString(hosts.hostDir(1).resolve("backups")).lines().toList())
                .as("no set-aside dump either").hasSize(1);
        assertRecorded(id, recovered.deadHolder(), "awaiting_promotion",
                "a first deployment has nothing to return to: it ends failed (a blue-green one's colour is stopped)",
                "failed");
        assertThat(stepStatuses(id)).contains("recovery-probe " + host(1) + " succeeded", "recovery-probe " + host(2)
                + " succeeded", "recovery " + host(1) + " succeeded", "recovery " + host(2) + " succeeded",
                "rollback-stop " + host(1) + " succeeded", "rollback-stop " + host(2) + " succeeded")
                .noneMatch(s -> s.startsWith("rollback-switch") || s.startsWith("set-aside")
                        || s.startsWith("restore"));
        assertThat(stepDetail(id, "recovery", host(2))).startsWith("recovery: " + host(2) + " was changed by this "
                + "deployment").endsWith("; it may run 2.0.0; no colour took traffic before; it answers over SSH");
        JsonNode env = MAPPER.readTree(api("GET", "/api/v1/environments", null).body()).get("environments").get(0);
        assertThat(env.get("liveVersion").isNull()).as(env.toString()).isTrue();
        assertThat(env.get("liveColor").isNull()).as(env.toString()).isTrue();
        assertThat(env.get("locked").asBoolean()).as(env.toString()).isFalse();
    }

    /** The instance that held the lease, and the deployment as the next instance ended it. */
    private record Recovered(String deadHolder, JsonNode deployment) {
    }

    /**
     * Kills the service (SIGKILL) with deployment {@code id} {@code status}, starts the next one on the same database,
     * and waits for it to end the deployment {@code end} (rolled_back, or failed for a first deployment), saying it was
     * recovered from that status.
     */
    private Recovered killAndRecover(Path config, long id, String status, String end) throws Exception {
        String deadHolder = leaseHolder();
        child.kill();

        child = start(config);
        JsonNode d = awaitEnd(id);
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo(end);
        assertThat(d.get("detail").asText()).startsWith("recovered after an interruption: the Greenlight instance "
                + "running it stopped while it was " + status);
        return new Recovered(deadHolder, d);
    }

    /**
     * The takeover and the end ({@code end}, rolled_back unless given) are audited, a notice waits in the outbox, and
     * the environment is free again.
     */
    private void assertRecorded(long id, String deadHolder, String plan) {
        assertRecorded(id, deadHolder, "running", plan, "rolled_back");
    }

    private void assertRecorded(long id, String deadHolder, String status, String plan, String end) {
        List<Map<String, Object>> recovering = Sql.rows(db, "select actor, detail from audit_log where deployment_id = ? "
                + "and action = 'deployment.recovering'", id);
        assertThat(recovering).hasSize(1);
        assertThat(recovering.get(0).get("detail").toString()).startsWith("instance " + deadHolder
                + " stopped while the deployment was " + status + "; instance ").endsWith(" recovers it: " + plan)
                .doesNotContain("instance " + deadHolder + " recovers");
        assertThat(Sql.count(db, "select count(*) from audit_log where deployment_id = ? and action = ?", id,
                "deployment." + end)).isEqualTo(1);
        // a notice's event is its status's key with a hyphen (rolled-back, failed)
        assertThat(Sql.rows(db, "select event from notifications where deployment_id = ?", id))
                .contains(Map.of("event", end.replace('_', '-')));
        assertThat(Sql.count(db, "select count(*) from deployment_events where deployment_id = ? and kind = "
                + "'finished'", id)).isEqualTo(1);
        assertThat(Sql.count(db, "select count(*) from environment_state where lease_holder is not null"))
                .as("the lease is free").isZero();
    }

    private Path writeConfig(String environment) throws IOException {
        Path hook = Files.writeString(dir.resolve("hook-url"), "http://127.0.0.1:" + TestGreenlight.freePort() + "/hook");
        String yaml = """
                access:
                  - name: ci
                    token-env: TEST_TOKEN
                    environments: [production]
                notifications:
                  team: { type: webhook, url-file: %s }
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      production:
                        hosts: [%s]
                        ssh: %s
                        notify: [team]
                %s""".formatted(hook, String.join(", ", hosts.hostList()), ssh(), environment);
        return Files.writeString(dir.resolve("greenlight.yaml"), yaml);
    }

    /**
     * Rolling, one host at a time, host 2's deploy of 2.0.0 held: it writes its version file, then waits for a file
     * {@code go} (the teardown writes it) and fails. Other versions deploy as usual.
     */
    private Path rollingHeldOnHost2() throws IOException {
        String blockOnHost2 = "if [ \"$1\" = 2.0.0 ] && [ ! -e go ]; then echo \"$1\" > version; touch blocked; "
                + "while [ ! -e go ]; do sleep 0.1; done; exit 1; fi\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT;
        hosts.deployScript(2, blockOnHost2);
        return writeConfig("""
                        batch: 1
                        commands:
                          deploy: "sh ./deploy.sh {{version}}"
                        health:
                          url: "http://{{host}}:%d"
                          paths: [/health]
                          attempts: 3
                          interval: 200ms
                          timeout: 2s
                """.formatted(hosts.httpPort()));
    }

    /** Deploys 2.0.0 with {@link #rollingHeldOnHost2}: batch 1 done, host 2 half-way when this returns. */
    private long deployHeldOnHost2() throws Exception {
        long id = deploy("2.0.0");
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(hosts.hostDir(2).resolve("blocked")));
        assertThat(hosts.version(1)).as("batch 1 done").isEqualTo("2.0.0");
        assertThat(hosts.version(2)).as("host 2 half-way").isEqualTo("2.0.0");
        return id;
    }

    /** Blue-green on both hosts, blue live: each colour a directory on the host, the switch a file naming it. */
    private Path blueGreenConfig(String extra) throws IOException {
        return writeConfig("""
                        strategy: blue-green
                        colors:
                          blue: { port: %d }
                          green: { port: %d }
                        commands:
                          deploy: "mkdir -p {{color}} && echo {{version}} > {{color}}/version && touch {{color}}/running && echo {{version}} > version"
                          switch: "echo {{color}} > live && echo switch {{color}} >> log"
                          stop: "rm -f {{color}}/running && echo stop {{color}} >> log"
                          backup: "echo {{backup}} >> backups"
                          restore: "echo {{backup}} >> restores"
                        health:
                          url: "http://{{host}}:%d/{{color}}"
                          paths: [/health]
                          attempts: 3
                          interval: 200ms
                          timeout: 2s
                        %s
                """.formatted(TestGreenlight.freePort(), TestGreenlight.freePort(), hosts.httpPort(), extra));
    }

    /** What an earlier release left: 1.0.0 live on blue on both hosts. */
    private void seedBlueLive() throws IOException {
        seedLive("1.0.0", "blue");
        for (int i = 1; i <= 2; i++) {
            hosts.setVersion(i, "1.0.0");
            Files.createDirectories(hosts.hostDir(i).resolve("blue"));
            Files.writeString(hosts.hostDir(i).resolve("blue/version"), "1.0.0\n");
            Files.writeString(hosts.hostDir(i).resolve("blue/running"), "");
            Files.writeString(hosts.hostDir(i).resolve("live"), "blue\n");
        }
    }

    /**
     * The hosts' SSH settings with a connect timeout long enough for a JVM that has just started (and is still
     * compiling) on a busy machine: the embedded servers answer in milliseconds once it is warm.
     */
    private String ssh() {
        return "{ user: deploy, key-file: " + hosts.keyFile() + ", known-hosts: " + hosts.knownHosts()
                + ", connect-timeout: 30s }";
    }

    private ChildGreenlight start(Path config) throws Exception {
        port = TestGreenlight.freePort();
        managementPort = TestGreenlight.freePort();
        List<String> options = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dcamel.server.host=127.0.0.1", "-Dcamel.server.port=" + port,
                "-Dcamel.management.host=127.0.0.1", "-Dcamel.management.port=" + managementPort,
                "-Dgreenlight.config=" + config, "-Dgreenlight.lease.ttl=3s",
                "-Dgreenlight.db.url=" + db.url(), "-Dgreenlight.db.user=" + db.user(),
                "-Dgreenlight.db.schema=" + db.schema());
        ChildGreenlight started = ChildGreenlight.start(dir, Map.of("TEST_TOKEN", TOKEN), options);
        started.awaitHealthy(managementPort);
        return started;
    }

    /** What an earlier successful deployment left: the live version (and colour) of shop/production. */
    private void seedLive(String version, String color) {
        assertThat(Sql.update(db, "update environment_state set live_version = ?, live_color = ? where app = 'shop' "
                + "and environment = 'production'", version, color)).isEqualTo(1);
    }

    private long deploy(String version) throws Exception {
        HttpResponse<String> r = api("POST", "/api/v1/deployments",
                "{\"app\":\"shop\",\"environment\":\"production\",\"version\":\"" + version + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return MAPPER.readTree(r.body()).get("id").asLong();
    }

    private JsonNode awaitEnd(long id) {
        return await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(300)).until(() -> {
            HttpResponse<String> r = api("GET", "/api/v1/deployments/" + id, null);
            return r.statusCode() == 200 ? MAPPER.readTree(r.body()) : null;
        }, d -> d != null && RollingFixture.TERMINAL.contains(d.get("status").asText()));
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10));
        b = body == null ? b.GET() : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String leaseHolder() {
        Object holder = Sql.rows(db, "select lease_holder from environment_state where app = 'shop' and environment = "
                + "'production'").get(0).get("lease_holder");
        assertThat(holder).as("the running deployment holds the lease").isNotNull();
        return holder.toString();
    }

    private List<String> stepStatuses(long id) {
        return Sql.rows(db, "select stage, host, status, detail from deployment_steps where deployment_id = ? order by id", id)
                .stream().map(r -> r.get("stage") + " " + r.get("host") + " " + r.get("status")
                        + ("failed".equals(r.get("status")) ? ": " + r.get("detail") : ""))
                .collect(Collectors.toList());
    }

    private String stepDetail(long id, String stage, String host) {
        return Sql.rows(db, "select detail from deployment_steps where deployment_id = ? and stage = ? and host = ?",
                id, stage, host).get(0).get("detail").toString();
    }

    private String host(int i) {
        return hosts.hostList().get(i - 1);
    }

    private String live(int i) throws IOException {
        return Files.readString(hosts.hostDir(i).resolve("live")).trim();
    }
}
