package dev.greenlight.trail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.deploy.BlueGreenRecord;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded text in the trail's documents: it cannot break a Markdown table, a CSV record or a spreadsheet. */
class AuditTrailDocumentTest {
    private static final Instant CREATED = Instant.parse("2026-11-30T09:15:02.123456Z");
    private final AuditTrailDocument document = new AuditTrailDocument(null,
            Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));

    private static Deployment deployment(long id, String triggeredBy, String version, Instant started, Instant finished) {
        return new Deployment(id, "shop", "staging", version, null, null, "rolling", "manual", triggeredBy,
                DeploymentStatus.SUCCEEDED, null, null, null, false, CREATED, started, finished, null, null, null, null,
                null, null, false, new BlueGreenRecord(null, null, null, null, null, null, null), null, null);
    }

    @Test
    void markdownCellsKeepPipesAndNewlinesFromBreakingTheTable() {
        String md = document.markdown(List.of(deployment(7, "github:evil|name\n| injected | row |", "v1",
                CREATED.plusSeconds(1), CREATED.plusMillis(13_400))), null);
        List<String> rows = md.lines().filter(l -> l.startsWith("| ")).toList();
        assertThat(rows).hasSize(2); // the header and the one deployment: no row was injected
        assertThat(rows.get(1)).isEqualTo("| 2026-11-30 09:15:02 UTC | github:evil\\|name \\| injected \\| row \\| | shop | "
                + "staging | v1 | rolling | succeeded | 12.4 s | [#7](/api/v1/deployments/7) |");
        assertThat(md).contains("1 row, as of 2026-12-01 10:00:00 UTC");
    }

    @Test
    void csvIsQuotedAsRfc4180SaysAndFormulasAreDefused() {
        String csv = document.csv(List.of(
                deployment(1, "=HYPERLINK(\"http://x\",\"y\")", "v1", null, null),
                deployment(2, "a,b \"quoted\"\r\nnext", "+1", CREATED, CREATED.plusMillis(1500)),
                deployment(3, "-2+3", "@SUM(A1)", CREATED, CREATED)));
        assertThat(csv).isEqualTo("id,when,who,app,environment,version,strategy,outcome,duration_seconds,link\r\n"
                + "1,2026-11-30T09:15:02.123456Z,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",shop,staging,v1,rolling,"
                + "succeeded,,/api/v1/deployments/1\r\n"
                + "2,2026-11-30T09:15:02.123456Z,\"a,b \"\"quoted\"\"\r\nnext\",shop,staging,'+1,rolling,succeeded,1.500,"
                + "/api/v1/deployments/2\r\n"
                + "3,2026-11-30T09:15:02.123456Z,'-2+3,shop,staging,'@SUM(A1),rolling,succeeded,0.000,"
                + "/api/v1/deployments/3\r\n");
    }

    @Test
    void linksPointUnderThePublicUrlWhenOneIsSet() {
        AuditTrailDocument withUrl = new AuditTrailDocument("https://gl.example.com", Clock.systemUTC());
        Deployment d = deployment(42, "ci", "v2", null, null);
        assertThat(withUrl.markdown(List.of(d), null)).contains("| [#42](https://gl.example.com/api/v1/deployments/42) |");
        assertThat(withUrl.csv(List.of(d))).endsWith(",https://gl.example.com/api/v1/deployments/42\r\n");
    }
}
