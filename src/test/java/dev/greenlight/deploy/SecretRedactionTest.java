package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.LogCapture;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret that turns up in a failing command's output, in a failure's message or in a caller's reason is masked
 * where it is stored and where it is logged: the database rows, the API's answers and the log never hold it.
 */
class SecretRedactionTest {
    @TempDir
    Path dir;

    @Test
    void aSecretInAFailingCommandsOutputIsMaskedInTheRowsTheAnswerAndTheLog() throws Exception {
        String secret = RollingFixture.TOKEN;
        try (LogCapture log = new LogCapture();
             RollingFixture f = RollingFixture.start(dir, 1, "", Map.of())) {
            f.hosts.deployScript(1, "echo \"logging in with " + secret + "\"\n"
                    + "echo \"denied: " + secret + "\" >&2\nexit 3\n");
            var r = f.app.postJson("/api/v1/deployments", RollingFixture.TOKEN, """
                    {"app":"shop","environment":"staging","version":"2.0.0","reason":"token %s rotated"}"""
                    .formatted(secret));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            assertThat(r.body()).doesNotContain(secret).contains("token *** rotated");
            long id = RollingFixture.json(r.body()).get("id").asLong();

            JsonNode d = f.awaitEnd(id);

            assertThat(d.get("status").asText()).isEqualTo("failed");
            JsonNode deploy = d.get("steps").findParents("stage").stream()
                    .filter(s -> s.get("stage").asText().equals("deploy")).findFirst().orElseThrow();
            assertThat(deploy.get("output").asText()).contains("logging in with ***").contains("denied: ***");
            assertThat(d.toString()).doesNotContain(secret);
            assertThat(everything(f.db)).contains("token *** rotated").doesNotContain(secret);
            assertThat(log.text()).contains("deployment " + id).doesNotContain(secret);
        }
    }

    @Test
    void aSecretInAFailuresMessageIsMaskedInTheStatusDetailTheAnswerAndTheLog() throws Exception {
        String secret = TestConfig.CI_TOKEN;
        try (LogCapture log = new LogCapture();
             TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment())) {
            app.stopBackgroundRoutes();
            var r = app.postJson("/api/v1/deployments", TestConfig.DEPLOYER_TOKEN,
                    "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v1\"}");
            long id = RollingFixture.json(r.body()).get("id").asLong();
            assertThat(app.bean("dispatcher", Dispatcher.class).dispatch()).contains(id);

            // what the pipeline's dead-letter channel does with a failure whose message quotes a credential
            app.bean("deploymentFinisher", DeploymentFinisher.class).finish(id, DeploymentStatus.RUNNING,
                    DeploymentStatus.FAILED, "pre-check failed: registry refused credentials " + secret);

            assertThat(Sql.rows(db, "select status_detail from deployments where id = ?", id))
                    .containsExactly(Map.of("status_detail", "pre-check failed: registry refused credentials ***"));
            String answer = app.get("/api/v1/deployments/" + id, TestConfig.DEPLOYER_TOKEN).body();
            assertThat(answer).contains("registry refused credentials ***").doesNotContain(secret);
            assertThat(everything(db)).doesNotContain(secret);
            assertThat(log.text()).contains("deployment " + id + " (shop/qa v1) failed: pre-check failed: "
                    + "registry refused credentials ***").doesNotContain(secret);
        }
    }

    /** Every row of every table a deployment writes, as one text. */
    private static String everything(TestDatabase db) {
        StringBuilder all = new StringBuilder();
        for (String table : List.of("deployments", "deployment_steps", "audit_log", "deployment_events")) {
            all.append(Sql.table(db, table)).append('\n');
        }
        return all.toString();
    }
}
