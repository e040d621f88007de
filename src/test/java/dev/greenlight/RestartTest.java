package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The database is the store of record: a restarted service on the same database has everything the first one had. */
class RestartTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final List<String> TABLES = List.of("deployments", "deployment_steps", "webhook_deliveries", "audit_log",
            "environment_state");

    @TempDir
    Path dir;

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of(Named.<Function<Path, TestDatabase>>of("PostgreSQL", d -> TestDatabase.postgres())),
                // the embedded default keeps its data in a file
                Arguments.of(Named.<Function<Path, TestDatabase>>of("H2 file", d -> new TestDatabase("h2",
                        "jdbc:h2:file:" + d.resolve("data/greenlight")
                                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", null))));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aRestartOnTheSameDatabaseLosesNothingAndRemembersDeliveries(Function<Path, TestDatabase> kind) throws Exception {
        Path config = TestConfig.write(dir);
        try (TestDatabase db = kind.apply(dir)) {
            GithubDelivery push = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
            GithubDelivery release = GithubDelivery.of("release", GithubDelivery.release(TestConfig.REPOSITORY, "v3.0.0"));
            HttpResponse<String> firstAnswer;
            long manual;
            Map<String, List<Map<String, Object>>> before;

            try (TestGreenlight first = TestGreenlight.start(config, db, TestConfig.environment())) {
                firstAnswer = push.send(first);
                assertThat(firstAnswer.statusCode()).isEqualTo(202);
                assertThat(release.send(first).statusCode()).isEqualTo(202);
                assertThat(GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, "elsewhere"))
                        .send(first).statusCode()).isEqualTo(200);
                HttpResponse<String> created = first.postJson("/api/v1/deployments", TestConfig.DEPLOYER_TOKEN,
                        "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v2.9.1\",\"reason\":\"hotfix\"}");
                assertThat(created.statusCode()).isEqualTo(202);
                manual = MAPPER.readTree(created.body()).path("id").asLong();
                StepStore steps = first.bean("stepStore", StepStore.class);
                steps.close(steps.open(manual, "deploy", "127.0.0.3:9", 1), true, 0, "done", null);
                assertThat(first.get("/api/v1/deployments", "wrong-token").statusCode()).isEqualTo(401);
                // one deployment per environment, each taken from the queue: nothing is left for the next start
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        Sql.count(db, "select count(*) from deployments where status = 'queued'") == 0);
            }
            before = snapshot(db);
            assertThat(before.get("deployments")).hasSize(3);
            assertThat(before.get("deployment_steps")).isNotEmpty();
            assertThat(before.get("webhook_deliveries")).hasSize(3);
            assertThat(before.get("audit_log")).hasSizeGreaterThanOrEqualTo(4);

            try (TestGreenlight second = TestGreenlight.start(config, db, TestConfig.environment())) {
                assertThat(snapshot(db)).as("everything is still there").isEqualTo(before);

                HttpResponse<String> again = push.send(second);
                assertThat(again.statusCode()).isEqualTo(202);
                assertThat(again.body()).as("the first answer again").isEqualTo(firstAnswer.body());
                assertThat(Sql.count(db, "select count(*) from deployments where delivery_id = ?", push.id())).isEqualTo(1);

                JsonNode shown = MAPPER.readTree(second.get("/api/v1/deployments/" + manual, TestConfig.DEPLOYER_TOKEN).body());
                assertThat(shown.path("version").asText()).isEqualTo("v2.9.1");
                assertThat(shown.path("reason").asText()).isEqualTo("hotfix");
                assertThat(shown.path("steps").findValuesAsText("stage")).contains("deploy");
                JsonNode audit = MAPPER.readTree(second.get("/api/v1/audit?limit=500", TestConfig.DEPLOYER_TOKEN).body());
                assertThat(audit.path("entries")).hasSize(before.get("audit_log").size());
                assertThat(snapshot(db)).as("a redelivery changes nothing").isEqualTo(before);
            }
        }
    }

    private static Map<String, List<Map<String, Object>>> snapshot(TestDatabase db) {
        return TABLES.stream().collect(java.util.stream.Collectors.toMap(t -> t, t -> Sql.table(db, t)));
    }
}
