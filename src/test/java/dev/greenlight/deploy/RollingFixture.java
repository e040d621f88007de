package dev.greenlight.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.ssh.EmbeddedSshServer;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import dev.greenlight.testing.TestHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A running Greenlight, simulated hosts and a database, for pipeline tests; the environment is {@code shop/staging} unless named otherwise. */
public final class RollingFixture implements AutoCloseable {
    public static final String TOKEN = "test-token-0123456789";
    public static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed", "cancelled");

    public final TestHosts hosts;
    public final TestDatabase db;
    public final TestGreenlight app;

    /** The app's one environment: staging unless the test names it otherwise. */
    public final String environment;

    private RollingFixture(TestHosts hosts, TestDatabase db, TestGreenlight app, String environment) {
        this.hosts = hosts;
        this.db = db;
        this.app = app;
        this.environment = environment;
    }

    /**
     * @param environmentExtras YAML lines added to the staging environment (indented 8 spaces), e.g. batch or smoke
     */
    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env) throws IOException {
        return start(dir, hostCount, environmentExtras, env, "");
    }

    /** @param extraCommands YAML lines added under {@code commands:} beside deploy */
    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env,
                                String extraCommands) throws IOException {
        return start(dir, hostCount, environmentExtras, env, extraCommands, "");
    }

    /** @param topLevel YAML added at the top level of greenlight.yaml (e.g. a github: block) */
    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env,
                                String extraCommands, String topLevel) throws IOException {
        return start(dir, hostCount, environmentExtras, env, extraCommands, topLevel, null, null);
    }

    /**
     * @param image       the app's image (enables the registry check), or null
     * @param healthCommand the container-level health command, or null
     */
    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env,
                                String extraCommands, String topLevel, String image) throws IOException {
        return start(dir, hostCount, environmentExtras, env, extraCommands, topLevel, image, null);
    }

    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env,
                                String extraCommands, String topLevel, String image, String healthCommand)
            throws IOException {
        return start(dir, hostCount, environmentExtras, env, extraCommands, topLevel, image, healthCommand,
                UnaryOperator.identity(), "", Map.of());
    }

    /**
     * @param servers    options for each host's SSH server
     * @param sshExtra   settings added to the environment's {@code ssh:} block
     * @param properties service settings (e.g. {@code greenlight.dispatch.period})
     */
    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env,
                                String extraCommands, String topLevel, String image, String healthCommand,
                                UnaryOperator<EmbeddedSshServer.Builder> servers, String sshExtra,
                                Map<String, String> properties) throws IOException {
        return start(dir, hostCount, environmentExtras, env, extraCommands, topLevel, image, healthCommand, servers,
                sshExtra, properties, "staging");
    }

    /** @param environment the name of the app's environment (the token's too) */
    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env,
                                String extraCommands, String topLevel, String image, String healthCommand,
                                UnaryOperator<EmbeddedSshServer.Builder> servers, String sshExtra,
                                Map<String, String> properties, String environment) throws IOException {
        return start(dir, hostCount, environmentExtras, env, extraCommands, topLevel, image, healthCommand, servers,
                sshExtra, properties, environment, TestDatabase.create());
    }

    /** @param db the service's database (one reached through a proxy the test can cut, say) */
    public static RollingFixture start(Path dir, int hostCount, String environmentExtras, Map<String, String> env,
                                String extraCommands, String topLevel, String image, String healthCommand,
                                UnaryOperator<EmbeddedSshServer.Builder> servers, String sshExtra,
                                Map<String, String> properties, String environment, TestDatabase db)
            throws IOException {
        TestHosts hosts = TestHosts.start(dir.resolve("hosts"), hostCount, servers);
        String yaml = """
                %s
                access:
                  - name: ci
                    token-env: TEST_TOKEN
                    environments: [%s]
                apps:
                  shop:
                    repository: acme/shop
                    %s
                    environments:
                      %s:
                        %s
                        hosts: [%s]
                        ssh: %s
                        commands:
                          deploy: "sh ./deploy.sh {{version}}"
                %s
                        health:
                          %s
                          url: "http://{{host}}:%d"
                          paths: [/health, /health/db]
                          attempts: 2
                          interval: 200ms
                          timeout: 1s
                %s
                """.formatted(topLevel, environment, image == null ? "" : "image: " + image, environment,
                environmentExtras.contains("trigger:") ? "" : "trigger: { push: main }",
                String.join(", ", hosts.hostList()), hosts.sshYaml(sshExtra), extraCommands.indent(10),
                healthCommand == null ? "" : "command: \"" + healthCommand + "\"", hosts.httpPort(), environmentExtras.indent(8));
        yaml = yaml.replace("BUILD_HOST", hosts.hostList().get(0));
        Path config = Files.writeString(dir.resolve("greenlight.yaml"), yaml);
        Map<String, String> variables = new HashMap<>(env);
        variables.put("TEST_TOKEN", TOKEN);
        return new RollingFixture(hosts, db, TestGreenlight.start(config, db, variables, properties), environment);
    }

    /** Queues a deployment through the API and returns its id. */
    public long deploy(String version) {
        var r = app.postJson("/api/v1/deployments", TOKEN,
                "{\"app\":\"shop\",\"environment\":\"" + environment + "\",\"version\":\"" + version + "\"}");
        if (r.statusCode() != 202) throw new AssertionError("deploy refused: " + r.statusCode() + " " + r.body());
        return json(r.body()).get("id").asLong();
    }

    public JsonNode deployment(long id) {
        return json(app.get("/api/v1/deployments/" + id, TOKEN).body());
    }

    /** Waits until the deployment ends and returns it with its steps. */
    public JsonNode awaitEnd(long id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> TERMINAL.contains(deployment(id).path("status").asText()));
        return deployment(id);
    }

    /** Deploys {@code version} and expects it to succeed: the starting point of a rollback test. */
    public void deployed(String version) {
        JsonNode d = awaitEnd(deploy(version));
        if (!"succeeded".equals(d.get("status").asText())) throw new AssertionError("setup deployment failed: " + d);
    }

    public static JsonNode json(String body) {
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
