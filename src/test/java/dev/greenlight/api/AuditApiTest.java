package dev.greenlight.api;

import static dev.greenlight.testing.TestConfig.CI_TOKEN;
import static dev.greenlight.testing.TestConfig.DEPLOYER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.deploy.DeploymentFinisher;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/audit as a document (Markdown, CSV) and GET /api/v1/audit/verify, against the real service. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditApiTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String PUBLIC_URL = "https://greenlight.example.com";

    @TempDir
    static Path dir;
    static TestDatabase db;
    static TestGreenlight app;
    static long qa;
    static long blog;
    static long staging;

    @BeforeAll
    static void start() throws IOException {
        db = TestDatabase.create();
        app = TestGreenlight.start(TestConfig.write(dir, TestConfig.YAML + "github:\n  public-url: " + PUBLIC_URL + "/\n"),
                db, TestConfig.environment(), Map.of("greenlight.dispatch.period", "3600000"));
        app.stopBackgroundRoutes();
        qa = created("shop", "qa", "doc-1");
        blog = created("blog", "staging", "doc-2");
        staging = created("shop", "staging", "doc-3");
        // staging runs and succeeds, as the pipeline would end it
        app.bean("deploymentStore", DeploymentStore.class).transition(staging, DeploymentStatus.QUEUED,
                DeploymentStatus.RUNNING, null);
        app.bean("deploymentFinisher", DeploymentFinisher.class).succeeded(staging);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) app.close();
        if (db != null) db.close();
    }

    static long created(String app_, String environment, String version) throws IOException {
        HttpResponse<String> r = app.postJson("/api/v1/deployments", DEPLOYER_TOKEN, """
                {"app": "%s", "environment": "%s", "version": "%s"}""".formatted(app_, environment, version));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return MAPPER.readTree(r.body()).path("id").asLong();
    }

    static HttpResponse<String> get(String path, String token, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.uri(path)).GET().header("Authorization", "Bearer " + token);
        if (accept != null) b.header("Accept", accept);
        return app.send(b.build());
    }

    static JsonNode error(HttpResponse<String> r, int status) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return MAPPER.readTree(r.body());
    }

    /** The table rows of a Markdown document, each split into its cells. */
    static List<List<String>> rows(String markdown) {
        return markdown.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| When"))
                .map(l -> Arrays.stream(l.substring(2, l.length() - 2).split(" \\| ")).toList()).toList();
    }

    @Test
    @Order(1)
    void theMarkdownDocumentHasOneRowPerDeploymentWithItsLink() throws IOException {
        HttpResponse<String> r = get("/api/v1/audit?format=markdown", DEPLOYER_TOKEN, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/markdown; charset=utf-8");
        assertThat(r.body()).startsWith("# Audit trail\n");
        List<List<String>> rows = rows(r.body());
        assertThat(rows).hasSize(3);
        // newest first: when, who, app, environment, version, strategy, outcome, duration, link
        assertThat(rows.get(0).subList(1, 7)).containsExactly("deployer", "shop", "staging", "doc-3", "rolling",
                "succeeded");
        assertThat(rows.get(0).get(7)).matches("\\d+ ms|\\d+\\.\\d s");
        assertThat(rows.get(0).get(8)).isEqualTo("[#" + staging + "](" + PUBLIC_URL + "/api/v1/deployments/" + staging + ")");
        assertThat(rows.get(1).subList(2, 7)).containsExactly("blog", "staging", "doc-2", "rolling", "queued");
        assertThat(rows.get(2).subList(2, 7)).containsExactly("shop", "qa", "doc-1", "rolling", "queued");
        assertThat(rows.get(2).get(7)).isEqualTo("–");
        assertThat(rows.get(2).get(0)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
    }

    @Test
    @Order(1)
    void theCsvDocumentHasAHeaderAndTheSameRows() throws IOException {
        HttpResponse<String> r = get("/api/v1/audit?format=csv", DEPLOYER_TOKEN, "text/csv");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        String[] lines = r.body().split("\r\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).isEqualTo("id,when,who,app,environment,version,strategy,outcome,duration_seconds,link");
        String[] succeeded = lines[1].split(",", -1);
        assertThat(succeeded[0]).isEqualTo(String.valueOf(staging));
        assertThat(Instant.parse(succeeded[1])).isBefore(Instant.now());
        assertThat(Arrays.asList(succeeded).subList(2, 8)).containsExactly("deployer", "shop", "staging", "doc-3",
                "rolling", "succeeded");
        assertThat(succeeded[8]).matches("\\d+\\.\\d{3}");
        assertThat(succeeded[9]).isEqualTo(PUBLIC_URL + "/api/v1/deployments/" + staging);
        assertThat(lines[3].split(",", -1)[8]).as("not run: no duration").isEmpty();
    }

    @Test
    @Order(1)
    void theDocumentsAreFilteredAndScopedLikeTheEntries() throws IOException {
        assertThat(rows(get("/api/v1/audit?format=markdown&app=blog", DEPLOYER_TOKEN, null).body()))
                .extracting(row -> row.get(2)).containsExactly("blog");
        assertThat(rows(get("/api/v1/audit?format=markdown&environment=qa", DEPLOYER_TOKEN, null).body()))
                .extracting(row -> row.get(4)).containsExactly("doc-1");
        assertThat(rows(get("/api/v1/audit?format=markdown&limit=2", DEPLOYER_TOKEN, null).body())).hasSize(2);
        String since = createdAt(blog).toString();
        assertThat(rows(get("/api/v1/audit?format=markdown&since=" + since, DEPLOYER_TOKEN, null).body()))
                .extracting(row -> row.get(4)).containsExactly("doc-3", "doc-2");
        // ci may act on staging only: the qa deployment is not in its documents
        assertThat(rows(get("/api/v1/audit?format=markdown", CI_TOKEN, null).body())).extracting(row -> row.get(3))
                .containsOnly("staging").hasSize(2);
        String csv = get("/api/v1/audit?format=csv&environment=qa", CI_TOKEN, null).body();
        assertThat(csv.split("\r\n")).hasSize(1);
    }

    private static Instant createdAt(long id) throws IOException {
        return Instant.parse(MAPPER.readTree(app.get("/api/v1/deployments/" + id, DEPLOYER_TOKEN).body())
                .path("createdAt").asText());
    }

    @Test
    @Order(1)
    void anUnknownFormatIsABadRequestAndAnAcceptThatRulesTheFormatOutIsNotAcceptable() throws IOException {
        assertThat(error(get("/api/v1/audit?format=pdf", DEPLOYER_TOKEN, null), 400).path("error").asText())
                .contains("format must be one of csv, json, markdown");
        assertThat(error(get("/api/v1/audit?format=csv", DEPLOYER_TOKEN, "application/json"), 406).path("error")
                .asText()).contains("text/csv").contains("application/json");
        assertThat(error(get("/api/v1/audit", DEPLOYER_TOKEN, "text/markdown"), 406).path("error").asText())
                .contains("answers application/json only");
        assertThat(error(get("/api/v1/audit?format=csv", DEPLOYER_TOKEN, "*/*, text/csv;q=0"), 406).path("error")
                .asText()).contains("text/csv");
        // no route produces it: the server's own 406, naming every type the call answers
        assertThat(error(get("/api/v1/audit?format=markdown", DEPLOYER_TOKEN, "text/html"), 406).path("error")
                .asText()).contains("application/json, text/markdown or text/csv");
        assertThat(get("/api/v1/audit?format=markdown", DEPLOYER_TOKEN, "text/*").statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/audit?format=csv", DEPLOYER_TOKEN, "text/html, text/csv;q=0.5").statusCode())
                .isEqualTo(200);
        assertThat(get("/api/v1/audit", DEPLOYER_TOKEN, "application/json").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void theChainVerifiesForATokenOfEveryEnvironmentAndIsRefusedToAScopedOne() throws IOException {
        HttpResponse<String> r = get("/api/v1/audit/verify", DEPLOYER_TOKEN, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode v = MAPPER.readTree(r.body());
        assertThat(v.path("valid").asBoolean()).isTrue();
        long chained = Sql.count(db, "select count(*) from audit_log where id <= ? and hash is not null",
                v.path("lastEntry").asLong());
        assertThat(v.path("entries").asLong()).isEqualTo(chained).isGreaterThanOrEqualTo(5);
        assertThat(v.path("legacyEntries").asLong()).isZero();
        assertThat(v.path("lastHash").asText()).isEqualTo(Sql.rows(db, "select hash from audit_log where id = ?",
                v.path("lastEntry").asLong()).get(0).get("hash"));

        assertThat(error(get("/api/v1/audit/verify", CI_TOKEN, null), 403).path("error").asText())
                .contains("token ci may not verify the audit chain");
    }

    @Test
    @Order(3)
    void anAlteredEntryIsNamedWith409() throws Exception {
        long altered = ((Number) Sql.rows(db, "select id from audit_log where deployment_id = ? and action = ?", blog,
                "deployment.queued").get(0).get("id")).longValue();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(db.kind().equals("h2") ? "drop trigger if exists audit_log_append_only"
                    : "alter table audit_log disable trigger audit_log_append_only");
            st.execute("update audit_log set version = 'doc-9' where id = " + altered);
        }
        JsonNode v = error(get("/api/v1/audit/verify", DEPLOYER_TOKEN, null), 409);
        assertThat(v.path("valid").asBoolean()).isFalse();
        assertThat(v.path("firstBadEntry").asLong()).isEqualTo(altered);
        assertThat(v.path("reason").asText()).contains("altered");
    }
}
