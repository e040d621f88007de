package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TcpProxy;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database going away under a running service: a TCP proxy between Greenlight and a scratch schema of the test
 * PostgreSQL is cut (connections refused, open ones reset) and restored. Requests answer 503 with Retry-After and
 * nothing answered 503 is stored; a running deployment's bookkeeping waits (half the lease TTL, 3 s here) and goes
 * on, or stops without changing another host.
 */
class DatabaseOutageTest {
    /** A TTL of 6 s: the bookkeeping waits up to 3 s for the database; a lapsed lease is settled within seconds. */
    private static final Map<String, String> SETTINGS = Map.of("greenlight.lease.ttl", "6s",
            "greenlight.db.connection-timeout", "1s");
    private static final Map<String, String> ENV = Map.of("GREENLIGHT_WEBHOOK_SECRET", TestConfig.WEBHOOK_SECRET);

    @TempDir
    Path dir;

    @Test
    void requestsDuringAnOutageAre503AndNothingAnswered503IsStored() throws Exception {
        TestDatabase direct = TestDatabase.postgres();
        try (TcpProxy proxy = proxyTo(direct); RollingFixture f = start(proxy, direct, 1, "")) {
            long before = f.deploy("1.0.0");
            f.awaitEnd(before);
            proxy.cut();

            HttpResponse<String> api = f.app.postJson("/api/v1/deployments", RollingFixture.TOKEN,
                    "{\"app\":\"shop\",\"environment\":\"staging\",\"version\":\"1.1.0\"}");
            assertThat(api.statusCode()).isEqualTo(503);
            assertThat(api.headers().firstValue("Retry-After")).hasValue("10");
            assertThat(RollingFixture.json(api.body()).get("error").asText())
                    .startsWith("the database is unavailable; nothing was recorded");
            GithubDelivery push = GithubDelivery.of("push", GithubDelivery.push("acme/shop", "main"));
            HttpResponse<String> webhook = push.send(f.app);
            assertThat(webhook.statusCode()).isEqualTo(503);
            assertThat(webhook.headers().firstValue("Retry-After")).hasValue("10");
            assertThat(webhook.body()).doesNotContain("Exception").doesNotContain("at dev.greenlight");
            HttpResponse<String> health = health(f);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("greenlight-database").contains("DOWN");

            proxy.restore();
            await().atMost(Duration.ofSeconds(20)).until(() -> health(f).statusCode() == 200);
            assertThat(Sql.count(direct, "select count(*) from deployments")).isEqualTo(1);
            assertThat(Sql.count(direct, "select count(*) from webhook_deliveries where delivery_id = ?", push.id()))
                    .isZero();
            // the same delivery, sent again once the database is back, is processed afresh
            HttpResponse<String> again = push.send(f.app);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
            long queued = RollingFixture.json(again.body()).get("deployments").get(0).get("id").asLong();
            assertThat(f.deployment(before).get("status").asText()).isEqualTo("succeeded");
            assertThat(f.awaitEnd(queued).get("status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void aShortOutageMidDeploymentPausesItsBookkeepingAndTheDeploymentCompletes() throws Exception {
        TestDatabase direct = TestDatabase.postgres();
        try (TcpProxy proxy = proxyTo(direct); RollingFixture f = start(proxy, direct, 3, "batch: 1")) {
            slowDeploys(f);
            long id = f.deploy("2.0.0");
            awaitDeployStepRunning(direct, id, 1);
            proxy.cut();
            Thread.sleep(1500); // the deploy on the first host ends meanwhile; its step waits to be closed
            proxy.restore();

            JsonNode done = f.awaitEnd(id);
            assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("succeeded");
            for (int i = 1; i <= 3; i++) assertThat(f.hosts.version(i)).isEqualTo("2.0.0");
            List<String> steps = new ArrayList<>();
            done.get("steps").forEach(s -> steps.add(s.get("stage").asText() + " " + s.path("host").asText() + " "
                    + s.get("status").asText()));
            assertThat(steps).filteredOn(s -> s.startsWith("deploy ")).hasSize(3).allMatch(s -> s.endsWith("succeeded"));
            assertThat(steps).noneMatch(s -> s.endsWith(" running"));
        }
    }

    @Test
    void anOutageLongerThanTheBookkeepingWaitsStopsTheRunWithoutChangingAnotherHost() throws Exception {
        TestDatabase direct = TestDatabase.postgres();
        try (TcpProxy proxy = proxyTo(direct); RollingFixture f = start(proxy, direct, 2, "batch: 1")) {
            f.hosts.setVersion(1, "1.0.0");
            f.hosts.setVersion(2, "1.0.0");
            slowDeploys(f);
            long id = f.deploy("2.0.0");
            awaitDeployStepRunning(direct, id, 1);
            proxy.cut();
            Thread.sleep(6000); // longer than the 3 s the bookkeeping waits
            assertThat(f.hosts.version(2)).isEqualTo("1.0.0");
            proxy.restore();

            JsonNode done = f.awaitEnd(id);
            assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("failed");
            // left to its lease, then recovered: a first deployment has nothing to roll back to
            assertThat(done.get("detail").asText()).startsWith("recovered after an interruption")
                    .contains("left as they are");
            assertThat(f.hosts.history(2)).containsExactly("1.0.0");
            // the second host was only probed: before the cut, and by the recovery
            done.get("steps").forEach(s -> {
                if (s.path("host").asText().startsWith(TestHosts.address(2) + ":")) {
                    assertThat(s.get("stage").asText()).as(s.toString())
                            .isIn("pre-check", "recovery-probe", "recovery");
                }
            });
        }
    }

    private RollingFixture start(TcpProxy proxy, TestDatabase direct, int hosts, String extras) throws Exception {
        TestDatabase proxied = new TestDatabase(direct.kind(), "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/"
                + database(direct.url()), direct.user(), direct.schema());
        return RollingFixture.start(dir, hosts, extras, ENV, "", "", null, null, UnaryOperator.identity(), "",
                SETTINGS, "staging", proxied);
    }

    private static TcpProxy proxyTo(TestDatabase db) throws Exception {
        URI uri = URI.create(db.url().substring("jdbc:".length()));
        return TcpProxy.to(uri.getHost(), uri.getPort());
    }

    private static String database(String url) {
        return URI.create(url.substring("jdbc:".length())).getPath().substring(1);
    }

    /** The second version's deploy takes two seconds on every host, so a test can cut the database under one. */
    private static void slowDeploys(RollingFixture f) {
        for (int i = 1; i <= 3 && i <= f.hosts.hostList().size(); i++) {
            f.hosts.deployScript(i, "sleep 2\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT);
        }
    }

    private static void awaitDeployStepRunning(TestDatabase db, long id, int host) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            return Sql.count(db, "select count(*) from deployment_steps where deployment_id = ? and stage = 'deploy' "
                    + "and status = 'running' and host like ?", id, TestHosts.address(host) + ":%") == 1;
        });
    }

    private static HttpResponse<String> health(RollingFixture f) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + f.app.managementPort() + "/observe/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
