package dev.greenlight.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.LogCapture;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * greenlight.yaml reloaded while the service runs, by an admin token through the API and by the file watch: validated
 * as at start-up, applied in one step or refused keeping the running configuration, audited either way.
 */
class ConfigReloadTest {
    static final String ADMIN = TestConfig.DEPLOYER_TOKEN;
    static final String YAML = TestConfig.YAML.replace("token-env: TOKEN_DEPLOYER",
            "token-env: TOKEN_DEPLOYER\n    role: admin");
    /** A fourth environment of shop, reachable by the deployer. */
    static final String WITH_PREVIEW = YAML.replace("environments: [staging, production, qa]",
            "environments: [staging, production, qa, preview]").replace("""
                  qa:
                    hosts: ["127.0.0.3:9"]
            """, """
                  preview:
                    hosts: ["127.0.0.6:9"]
                    ssh: { user: deploy, key-file: keys/preview, known-hosts: keys/known_hosts }
                    commands:
                      deploy: "echo {{version}}"
                  qa:
                    hosts: ["127.0.0.3:9"]
            """);

    @TempDir
    Path dir;
    private TestDatabase db;
    private Path file;

    @BeforeEach
    void database() {
        db = TestDatabase.create();
        assertThat(YAML).contains("role: admin");
        assertThat(WITH_PREVIEW).contains("preview:").contains("qa, preview]");
        file = TestConfig.write(dir, YAML);
    }

    @AfterEach
    void close() throws Exception {
        db.close();
    }

    private TestGreenlight start(String watchPeriod) {
        return TestGreenlight.start(file, db, TestConfig.environment(),
                Map.of("greenlight.config.watch-period", watchPeriod));
    }

    /**
     * One service through a sequence of reloads by the API (the file watch off): refused to everyone but an admin,
     * refused for an invalid file, for what needs a restart and for a busy environment's removal, each time keeping
     * the running configuration; then applied, the new environment deployable and the removed token refused.
     */
    @Test
    void theApiReloadsForAnAdminOnlyAndOnlyAValidFile() throws Exception {
        try (TestGreenlight app = start("0"); LogCapture log = new LogCapture()) {
            app.stopBackgroundRoutes(); // queued deployments stay queued
            replace(WITH_PREVIEW);
            onlyAnAdminMayReload(app);
            anInvalidFileIsRefused(app, log);
            whatNeedsARestartAndTheRemovalOfABusyEnvironmentAreRefused(app);
            aValidFileIsAppliedAndAnswersWhatChanged(app);
        }
    }

    private void onlyAnAdminMayReload(TestGreenlight app) {
        assertThat(reload(app, null).statusCode()).isEqualTo(401);
        HttpResponse<String> ci = reload(app, TestConfig.CI_TOKEN);
        assertThat(ci.statusCode()).isEqualTo(403);
        assertThat(json(ci).get("error").asText()).isEqualTo("token ci may not do this: it needs role: admin");
        assertThat(Sql.count(db, "select count(*) from audit_log where action = 'config.reload_refused' "
                + "and actor = 'ci' and outcome = 'forbidden'")).isEqualTo(1);
        assertThat(deploy(app, "preview").statusCode()).as("nothing was reloaded").isEqualTo(404);
    }

    private void anInvalidFileIsRefused(TestGreenlight app, LogCapture log) throws IOException {
        replace(WITH_PREVIEW.replace("strategy: blue-green", "strategy: purple"));

        HttpResponse<String> r = reload(app, ADMIN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode body = json(r);
        assertThat(body.get("applied").asBoolean()).isFalse();
        assertThat(body.get("error").asText()).isEqualTo("the configuration was not reloaded; the running one stays");
        assertThat(body.get("errors")).singleElement().satisfies(e -> assertThat(e.asText())
                .startsWith(file + ": apps.shop.environments.production.strategy: "));
        assertThat(log.text()).contains("ERROR").contains("configuration NOT reloaded from " + file)
                .contains("apps.shop.environments.production.strategy");
        assertThat(Sql.rows(db, "select outcome, detail from audit_log where action = 'config.reload_refused' "
                + "and actor = 'deployer'")).singleElement().satisfies(row -> {
                    assertThat(row.get("outcome")).isEqualTo("refused");
                    assertThat((String) row.get("detail")).contains("apps.shop.environments.production.strategy");
                });
        assertThat(deploy(app, "preview").statusCode()).as("the old configuration runs").isEqualTo(404);
    }

    private void whatNeedsARestartAndTheRemovalOfABusyEnvironmentAreRefused(TestGreenlight app) throws IOException {
        long id = json(deploy(app, "qa")).get("id").asLong();
        String withoutQa = YAML.replace("environments: [staging, production, qa]", "environments: [staging, production]")
                .replace("""
                          qa:
                            hosts: ["127.0.0.3:9"]
                            ssh: { user: deploy, key-file: keys/qa, known-hosts: keys/known_hosts }
                            commands:
                              deploy: "echo {{version}}"
                        """.indent(4), "");
        assertThat(withoutQa).doesNotContain("keys/qa");
        replace(withoutQa + "github:\n  public-url: https://greenlight.example\n");

        HttpResponse<String> r = reload(app, ADMIN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(json(r).get("errors")).extracting(JsonNode::asText).containsExactly(
                file + ": github: changed; this needs a restart",
                file + ": apps.shop.environments.qa: cannot be removed while deployment " + id
                        + " there has not ended; let them end or cancel them, then reload again");
        assertThat(deploy(app, "qa").statusCode()).as("qa is still configured").isEqualTo(202);
        assertThat(Sql.count(db, "select count(*) from audit_log where action = 'config.reload_refused'")).isEqualTo(3);
    }

    private void aValidFileIsAppliedAndAnswersWhatChanged(TestGreenlight app) throws IOException {
        assertThat(app.get("/api/v1/deployments", TestConfig.CI_TOKEN).statusCode()).isEqualTo(200);
        String next = WITH_PREVIEW.replace("""
                  - name: ci
                    token-env: TOKEN_CI
                    environments: [staging]
                """, "").replace("commands:\n          deploy: \"echo {{version}}\"\n      production:",
                "commands:\n          deploy: \"echo {{version}} again\"\n      production:");
        assertThat(next).doesNotContain("TOKEN_CI").contains("again");
        replace(next);

        HttpResponse<String> r = reload(app, ADMIN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("applied").asBoolean()).isTrue();
        assertThat(body.at("/changes/environments/added").toString()).isEqualTo("[\"shop/preview\"]");
        assertThat(body.at("/changes/environments/removed").toString()).isEqualTo("[]");
        assertThat(body.at("/changes/environments/changed").toString()).isEqualTo("[\"shop/staging\"]");
        assertThat(body.at("/changes/access/removed").toString()).isEqualTo("[\"ci\"]");
        assertThat(body.at("/changes/access/changed").toString()).isEqualTo("[\"deployer\"]");
        assertThat(body.get("summary").asText()).isEqualTo("environments added shop/preview; changed shop/staging; "
                + "access removed ci; changed deployer");
        assertThat(r.body()).doesNotContain("echo").doesNotContain(TestConfig.DEPLOYER_TOKEN);
        assertThat(Sql.rows(db, "select actor, outcome, detail, source from audit_log where action = 'config.reloaded'"))
                .singleElement().satisfies(row -> {
                    assertThat(row.get("actor")).isEqualTo("deployer");
                    assertThat(row.get("outcome")).isEqualTo("applied");
                    assertThat(row.get("detail")).isEqualTo(body.get("summary").asText());
                    assertThat(row.get("source")).isEqualTo("127.0.0.1");
                });
        assertThat(Sql.count(db, "select count(*) from environment_state where app = 'shop' "
                + "and environment = 'preview'")).as("its lease is registered").isEqualTo(1);
        HttpResponse<String> queued = deploy(app, "preview");
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
        HttpResponse<String> refused = app.get("/api/v1/deployments", TestConfig.CI_TOKEN);
        assertThat(refused.statusCode()).as("a token removed by the reload").isEqualTo(401);
        assertThat(refused.body()).contains("the bearer token is not valid");
    }

    @Test
    void theFileWatchReloadsAChangedFileOnceAndRefusesAnInvalidOneOnce() throws Exception {
        try (TestGreenlight app = start("200ms")) {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            replace(YAML); // the same bytes through a new file: no reload
            Thread.sleep(1000); // five looks at the file
            assertThat(Sql.count(db, "select count(*) from audit_log where action like 'config.%'")).isZero();
            replace(WITH_PREVIEW);

            await().atMost(Duration.ofSeconds(10)).until(() -> deploy(app, "preview").statusCode() == 202);
            assertThat(Sql.rows(db, "select actor, detail, source from audit_log where action = 'config.reloaded'"))
                    .singleElement().satisfies(row -> {
                        assertThat(row.get("actor")).isEqualTo("greenlight");
                        assertThat(row.get("detail")).isEqualTo("environments added shop/preview; access changed deployer");
                        assertThat(row.get("source")).isNull();
                    });

            replace(WITH_PREVIEW.replace("apps:", "apps: ["));
            await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count(db,
                    "select count(*) from audit_log where action = 'config.reload_refused'") == 1);
            Thread.sleep(1000); // five more looks at the same invalid file
            assertThat(Sql.count(db, "select count(*) from audit_log where action like 'config.%'")).isEqualTo(2);
            assertThat(deploy(app, "preview").statusCode()).as("the last valid configuration runs").isEqualTo(202);
        }
    }

    /** As an editor or a deployment tool replaces it: a new file renamed over the old one. */
    private void replace(String yaml) throws IOException {
        Path next = Files.writeString(dir.resolve("greenlight.yaml.new"), yaml);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static HttpResponse<String> reload(TestGreenlight app, String token) {
        return app.postJson("/api/v1/config/reload", token, "");
    }

    private static HttpResponse<String> deploy(TestGreenlight app, String environment) {
        return app.postJson("/api/v1/deployments", ADMIN,
                "{\"app\":\"shop\",\"environment\":\"" + environment + "\",\"version\":\"v1\"}");
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
