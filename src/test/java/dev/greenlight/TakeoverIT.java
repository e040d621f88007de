package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.ApiCalls;
import dev.greenlight.testing.ScratchPostgres;
import dev.greenlight.testing.ServiceInstance;
import dev.greenlight.testing.StoreInvariants;
import dev.greenlight.testing.TestHosts;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real service instances (two JVMs, the same greenlight.yaml, their own ports) on one PostgreSQL database. A
 * deployment starts on whichever takes the environment's lease; its deploy command blocks until the test lets it go,
 * and that instance is killed with SIGKILL there. The other one takes the environment over once the lease has lapsed
 * (and not before), audits the takeover, settles the interrupted deployment, and runs the deployment queued behind it.
 */
class TakeoverIT {
    static final String TOKEN = "tok-takeover-81c0e2";
    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed", "cancelled");
    static final Pattern HOLDER = Pattern.compile("this instance takes environment leases as (\\S+)");

    /** Versions ending in {@code -blocked} wait in their deploy until a file {@code go-<version>} appears. */
    static final String DEPLOY_SCRIPT = """
            case "$1" in *-blocked) touch "started-$1"; while [ ! -e "go-$1" ]; do sleep 0.1; done;; esac
            echo "$1" > version
            echo "$1" >> history
            """;

    @TempDir
    Path dir;

    @Test
    void theSurvivorTakesTheEnvironmentOverAfterTheLeaseAndAuditsIt() throws Exception {
        try (ScratchPostgres db = ScratchPostgres.create(); TestHosts hosts = TestHosts.start(dir.resolve("hosts"), 1)) {
            hosts.deployScript(1, DEPLOY_SCRIPT);
            Path work = Files.createDirectories(dir.resolve("installation"));
            Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
            Files.writeString(work.resolve("greenlight.yaml"), """
                    access:
                      - { name: deployer, token-env: TOKEN_DEPLOYER, environments: [staging] }
                    apps:
                      shop:
                        repository: acme/shop
                        environments:
                          staging:
                            hosts: [%s]
                            ssh: %s
                            commands:
                              deploy: "sh ./deploy.sh {{version}}"
                    """.formatted(hosts.hostList().get(0), hosts.sshYaml()));
            Map<String, String> env = Map.of("GREENLIGHT_DB_URL", db.url(), "GREENLIGHT_DB_USER", db.user(),
                    "TOKEN_DEPLOYER", TOKEN);
            Map<String, String> properties = Map.of("greenlight.lease.ttl", "4s", "greenlight.dispatch.period", "300");
            // the first start migrates the database; the second then finds it ready, as a second instance does
            ServiceInstance first = ServiceInstance.start(work, env, properties);
            ServiceInstance second = ServiceInstance.start(work, env, properties);
            try (HikariDataSource ds = Database.open(db.url(), db.user(), "", null, 2)) {
                Jdbc jdbc = new Jdbc(ds);
                long live = deploy(first, "1.0.0");
                awaitTrue(() -> "succeeded".equals(status(second, live)), "1.0.0 succeeds");

                long blocked = deploy(second, "1.1.0-blocked");
                awaitTrue(() -> Files.exists(hosts.hostDir(1).resolve("started-1.1.0-blocked")), "the deploy is under way");
                ServiceInstance runner = first.process().stdout().contains("deployment " + blocked + " started")
                        ? first : second;
                ServiceInstance survivor = runner == first ? second : first;
                String runnerHolder = holder(runner);
                String survivorHolder = holder(survivor);
                assertThat(leaseHolder(jdbc)).as("the runner holds the lease").isEqualTo(runnerHolder);

                runner.kill();
                Instant killed = Instant.now();
                // the dead instance can renew nothing any more: this is when its lease lapses
                Instant lapses = jdbc.queryOne("select lease_expires_at from environment_state where app = 'shop' "
                        + "and environment = 'staging'", rs -> rs.getObject(1, OffsetDateTime.class).toInstant())
                        .orElseThrow();
                long next = deploy(survivor, "1.2.0");
                // the orphaned command on the host ends too, so nothing there is left waiting
                Files.writeString(hosts.hostDir(1).resolve("go-1.1.0-blocked"), "");

                awaitTrue(() -> TERMINAL.contains(status(survivor, blocked)), "the interrupted deployment is settled");
                awaitTrue(() -> TERMINAL.contains(status(survivor, next)), "the next deployment ends");
                awaitTrue(() -> leaseHolder(jdbc) == null, "the lease is released");

                List<String[]> takeovers = jdbc.query("select actor, detail, at from audit_log where action = "
                        + "'lease.takeover' order by id", rs -> new String[] {rs.getString(1), rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant().toString()});
                assertThat(takeovers).as("one takeover").hasSize(1);
                assertThat(takeovers.get(0)[0]).as("by the survivor").isEqualTo(survivorHolder);
                assertThat(takeovers.get(0)[1]).isEqualTo("took over the lease of shop/staging from " + runnerHolder
                        + ", whose lease lapsed without a heartbeat");
                Instant takenOver = Instant.parse(takeovers.get(0)[2]);
                assertThat(takenOver).as("not before the lease lapsed").isAfterOrEqualTo(lapses);

                assertThat(status(survivor, blocked)).as("the interrupted deployment").isIn("failed", "rolled_back");
                assertThat(status(survivor, next)).isEqualTo("succeeded");
                assertThat(survivor.process().stdout()).contains("deployment " + next + " started");
                assertThat(hosts.version(1)).isEqualTo("1.2.0");
                // every step was begun by the runner before it died, or by the survivor after it took over: none
                // while the dead instance's lease still held the environment
                List<String> between = jdbc.query("select id, deployment_id, stage, started_at from deployment_steps "
                        + "where started_at > ? and started_at < ? order by id", rs -> rs.getString(1) + " of "
                        + rs.getString(2) + " (" + rs.getString(3) + ") at " + rs.getString(4),
                        OffsetDateTime.ofInstant(killed, java.time.ZoneOffset.UTC),
                        OffsetDateTime.ofInstant(takenOver, java.time.ZoneOffset.UTC));
                assertThat(between).as("steps begun between the kill and the takeover").isEmpty();
                assertThat(jdbc.queryOne("select count(*) from deployment_steps where deployment_id = ? and "
                        + "started_at >= ?", rs -> rs.getLong(1), next, OffsetDateTime.ofInstant(takenOver,
                        java.time.ZoneOffset.UTC)).orElseThrow()).as("the next deployment's steps, after the takeover")
                        .isPositive();
                assertThat(new StoreInvariants(jdbc).violations()).isEmpty();
                System.out.printf("takeover: %s killed while running deployment %d; %s took over %d ms after the "
                                + "kill (lease lapsed %d ms after it); deployment %d %s, deployment %d %s%n",
                        runnerHolder, blocked, survivorHolder, Duration.between(killed, takenOver).toMillis(),
                        Duration.between(killed, lapses).toMillis(), blocked, status(survivor, blocked), next,
                        status(survivor, next));
            } finally {
                first.close();
                second.close();
            }
        }
    }

    private static String holder(ServiceInstance service) {
        Matcher m = HOLDER.matcher(service.process().stdout());
        assertThat(m.find()).as("the instance names its lease holder").isTrue();
        return m.group(1);
    }

    private static String leaseHolder(Jdbc jdbc) {
        return jdbc.queryOne("select lease_holder from environment_state where app = 'shop' and environment = 'staging'",
                rs -> rs.getString(1)).orElse(null);
    }

    private static long deploy(ServiceInstance service, String version) {
        HttpResponse<String> r = ApiCalls.postJson(TOKEN, service.uri("/api/v1/deployments"),
                "{\"app\":\"shop\",\"environment\":\"staging\",\"version\":\"" + version + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return ApiCalls.json(r.body()).path("id").asLong();
    }

    private static String status(ServiceInstance service, long id) {
        return ApiCalls.getJson(TOKEN, service.uri("/api/v1/deployments/" + id)).path("status").asText();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 120 s: " + what);
            Thread.sleep(100);
        }
    }
}
