package dev.greenlight.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.LogCapture;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NUL character cannot be stored or compared by PostgreSQL: a query filter or a body field holding one was a 503
 * with a stack trace in the log. It is a 400 naming the parameter or field, and nothing is written.
 */
class NulCharacterTest {
    @TempDir
    Path dir;

    @Test
    void aNulInAQueryFilterOrABodyFieldIsABadRequestNamingItAndNothingIsWritten() throws Exception {
        try (LogCapture log = new LogCapture(); TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment())) {
            Map<String, String> filters = Map.of("/api/v1/deployments?app=%00", "app",
                    "/api/v1/deployments?environment=qa%00", "environment", "/api/v1/audit?app=%00", "app",
                    "/api/v1/audit?environment=%00", "environment", "/api/v1/notifications?channel=%00", "channel",
                    "/api/v1/metrics?app=%00", "app");
            filters.forEach((path, name) -> {
                var r = app.get(path, TestConfig.DEPLOYER_TOKEN);
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(400);
                assertThat(r.body()).contains("query parameter " + name + " holds a NUL character");
            });
            for (String field : new String[] {"app", "environment", "version", "reason"}) {
                String body = "{\"app\":\"shop\",\"environment\":\"qa\",\"version\":\"v1\",\"reason\":\"r\"}"
                        .replace("\"" + field + "\":\"", "\"" + field + "\":\"\\u0000");
                var r = app.postJson("/api/v1/deployments", TestConfig.DEPLOYER_TOKEN, body);
                assertThat(r.statusCode()).as(body + ": " + r.body()).isEqualTo(400);
                assertThat(r.body()).contains("field " + field + " holds a NUL character");
            }
            assertThat(Sql.count(db, "select count(*) from deployments")).isZero();
            assertThat(Sql.count(db, "select count(*) from audit_log where outcome = 'bad_request'"))
                    .as("each refusal audited").isEqualTo(filters.size() + 4);
            assertThat(log.text()).doesNotContain(" ERROR ").doesNotContain("\tat ");
        }
    }
}
