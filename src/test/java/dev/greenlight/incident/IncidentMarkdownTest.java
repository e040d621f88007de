package dev.greenlight.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.deploy.BlueGreenRecord;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The report of a blue-green rollback after a long watch, as the blue-green pipeline records one. */
class IncidentMarkdownTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String DB_HOST = "db-1.internal";

    @Test
    void theTriggerIsTheLastProbeThatFailedBeforeTheRollbackAndALongWatchIsShortened() {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // 200 watch probes, every tenth failing
            boolean failed = i % 10 == 9;
            steps.add(step(steps.size(), "watch", "prod-1", failed ? "failed" : "succeeded", i,
                    failed ? "/health 503 12ms (probe " + i + ")" : "/health 200 8ms", null));
        }
        Instant rollbackAt = T0.plusSeconds(200);
        steps.add(step(steps.size(), "rollback-switch", "prod-1", "succeeded", 201, null, "switched to blue"));
        steps.add(step(steps.size(), "rollback-stop", "prod-1", "failed", 202, "exited with status 1", null));
        steps.add(step(steps.size(), "set-aside", DB_HOST, "succeeded", 203, null, null));
        steps.add(step(steps.size(), "restore", DB_HOST, "succeeded", 204, null, null));
        AuditEvent rollingBack = new AuditEvent(1L, rollbackAt, "greenlight", "deployment.rolling_back", "shop",
                "production", "2.0.0", 7L, "rolling_back", "watch: 20 errors in 200s, more than 10 allowed", null);
        Deployment d = new Deployment(7, "shop", "production", "2.0.0", "1.0.0", null, "blue-green", "release",
                "github:octocat", DeploymentStatus.ROLLBACK_FAILED, null, null, null, false, T0, T0,
                T0.plusSeconds(205), "watch: 20 errors in 200s; ROLLBACK FAILED", null, null, null, null, null, false,
                new BlueGreenRecord(null, null, null, null, null, null, null), null, null);
        BlueGreenFacts bg = new BlueGreenFacts("green", "blue", "shop-production-7-20261201T095900Z",
                T0.minusSeconds(60), T0.minusSeconds(10), "shop-production-7-20261201T100323Z", T0.plusSeconds(203), "blue");
        IncidentFacts facts = new IncidentFacts(d, steps, List.of(rollingBack), "1.0.0", Optional.of(7L), Optional.of(bg));

        String md = new IncidentMarkdown().render(facts);

        assertThat(md).startsWith("# Incident: shop/production 2.0.0 ROLLBACK FAILED\n")
                .contains("watch: 20 errors in 200s, more than 10 allowed")
                .contains("The failing step: **watch** on prod-1, attempt 1, started 2026-12-01 10:03:18Z.")
                .contains("Detail: /health 503 12ms (probe 199)")
                .contains("| … | " + (steps.size() - IncidentMarkdown.TIMELINE_ROWS) + " more steps |")
                .contains("- prod-1: **rollback-stop failed**: exited with status 1")
                .doesNotContain("- " + DB_HOST + ":")
                .contains("- Restore of `shop-production-7-20261201T095900Z`: **succeeded**")
                .contains("- Environment locked: **yes**, by the failed rollback of deployment 7");
        assertThat(md.lines().filter(l -> l.matches("\\| \\d+ \\| .*"))).hasSize(IncidentMarkdown.TIMELINE_ROWS);
        assertThat(md.length()).isLessThanOrEqualTo(IncidentMarkdown.MAX_CHARS);
    }

    private static Step step(int id, String stage, String host, String status, int second, String detail, String output) {
        Instant start = T0.plusSeconds(second - 1);
        return new Step(id, 7, stage, host, 1, status, start, start.plusMillis(300), null, output, detail);
    }
}
