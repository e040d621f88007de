package dev.greenlight.api;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A running Greenlight with two simulated hosts (real SSH servers running real shell commands) and two blue-green
 * environments of app {@code shop}: {@code production} ({@code approval: required}) and {@code preview}
 * ({@code promotion: manual}, with backup and restore commands), plus a rolling {@code staging}. Tokens {@code alice}
 * and {@code bob} may act on all three, {@code ci} on staging only. Until the blue-green pipeline is built, the
 * test-only stand-in under {@code approval-pipeline/} runs instead of routes/blue-green.camel.yaml: pre-checks,
 * approval point, deploy on every host, promotion point, switch on every host.
 */
final class ApprovalFixture implements AutoCloseable {
    static final String ALICE = "tok-alice-5e1f09";
    static final String BOB = "tok-bob-77c2aa";
    static final String CI = "tok-ci-0d93b1";
    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed", "cancelled");

    final TestHosts hosts;
    final TestDatabase db;
    final TestGreenlight app;

    private ApprovalFixture(TestHosts hosts, TestDatabase db, TestGreenlight app) {
        this.hosts = hosts;
        this.db = db;
        this.app = app;
    }

    static ApprovalFixture start(Path dir) throws IOException {
        TestHosts hosts = TestHosts.start(dir.resolve("hosts"), 2);
        String hostList = String.join(", ", hosts.hostList());
        int blue = TestGreenlight.freePort();
        int green = TestGreenlight.freePort();
        String yaml = """
                access:
                  - name: alice
                    token-env: TOKEN_ALICE
                    environments: [production, preview, staging]
                  - name: bob
                    token-env: TOKEN_BOB
                    environments: [production, preview, staging]
                  - name: ci
                    token-env: TOKEN_CI
                    environments: [staging]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      production:
                        strategy: blue-green
                        approval: required
                        approval-timeout: 1h
                        hosts: [%1$s]
                        ssh: %2$s
                        colors: { blue: { port: %3$d }, green: { port: %4$d } }
                        commands:
                          deploy: "sh ./deploy.sh {{version}}"
                          switch: "echo {{version}} >> switched"
                          stop: "true"
                        health: { url: "http://{{host}}:{{port}}", paths: [/health] }
                      preview:
                        strategy: blue-green
                        promotion: manual
                        promotion-timeout: 1h
                        hosts: [%1$s]
                        ssh: %2$s
                        colors: { blue: { port: %3$d }, green: { port: %4$d } }
                        commands:
                          deploy: "sh ./deploy.sh {{version}}"
                          switch: "echo {{version}} >> switched"
                          stop: "true"
                          backup: "true"
                          restore: "true"
                        health: { url: "http://{{host}}:{{port}}", paths: [/health] }
                      staging:
                        hosts: [%1$s]
                        ssh: %2$s
                        commands:
                          deploy: "sh ./deploy.sh {{version}}"
                """.formatted(hostList, hosts.sshYaml(), blue, green);
        Path config = Files.writeString(dir.resolve("greenlight.yaml"), yaml);
        TestDatabase db = TestDatabase.create();
        TestGreenlight app = TestGreenlight.start(config, db,
                Map.of("TOKEN_ALICE", ALICE, "TOKEN_BOB", BOB, "TOKEN_CI", CI),
                Map.of("camel.main.routes-include-pattern",
                        "classpath:routes/*.camel.yaml,classpath:approval-pipeline/*.camel.yaml",
                        "camel.main.routes-exclude-pattern", "**/*routes/blue-green.camel.yaml",
                        "greenlight.approval.period", "200",
                        "greenlight.promotion.poll", "100",
                        "greenlight.lease.ttl", "3s"));
        return new ApprovalFixture(hosts, db, app);
    }

    /** Queues {@code version} to {@code environment} as {@code token}; returns its id. */
    long deploy(String environment, String version, String token) {
        HttpResponse<String> r = app.postJson("/api/v1/deployments", token,
                "{\"app\":\"shop\",\"environment\":\"" + environment + "\",\"version\":\"" + version + "\"}");
        if (r.statusCode() != 202) throw new AssertionError("deploy refused: " + r.statusCode() + " " + r.body());
        return json(r.body()).get("id").asLong();
    }

    HttpResponse<String> post(long id, String action, String token, String body) {
        return app.postJson("/api/v1/deployments/" + id + "/" + action, token, body);
    }

    JsonNode deployment(long id) {
        return json(app.get("/api/v1/deployments/" + id, ALICE).body());
    }

    String status(long id) {
        return deployment(id).get("status").asText();
    }

    JsonNode awaitStatus(long id, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> status(id).equals(status) || TERMINAL.contains(status(id)));
        JsonNode d = deployment(id);
        if (!d.get("status").asText().equals(status)) throw new AssertionError("expected " + status + ": " + d);
        return d;
    }

    /** The stages of the deployment's steps, in order. */
    List<String> stages(long id) {
        return Sql.rows(db, "select stage from deployment_steps where deployment_id = ? order by id", id).stream()
                .map(r -> (String) r.get("stage")).toList();
    }

    /** The audit trail of the deployment as "actor action outcome", oldest first. */
    List<String> audit(long id) {
        return Sql.rows(db, "select actor, action, outcome from audit_log where deployment_id = ? order by id", id)
                .stream().map(r -> r.get("actor") + " " + r.get("action") + " " + r.get("outcome")).toList();
    }

    Map<String, Object> environmentState(String environment) {
        return Sql.rows(db, "select * from environment_state where app = 'shop' and environment = ?", environment).get(0);
    }

    /** The lines host {@code i}'s switch command wrote (null when it never ran). */
    String switched(int i) throws IOException {
        Path f = hosts.hostDir(i).resolve("switched");
        return Files.exists(f) ? Files.readString(f).trim() : null;
    }

    static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        app.close();
        hosts.close();
        db.close();
    }
}
