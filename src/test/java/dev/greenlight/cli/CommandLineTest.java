package dev.greenlight.cli;

import static dev.greenlight.deploy.RollingFixture.TOKEN;
import static dev.greenlight.deploy.RollingFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.deploy.RollingFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against a running Greenlight (the whole service on real PostgreSQL, two embedded SSH hosts
 * running real commands, their real HTTP health answers): each command in-process, with its own environment, its
 * output and exit code as a script sees them.
 */
class CommandLineTest {
    @TempDir
    Path dir;
    RollingFixture f;
    CliRunner cli;

    @BeforeEach
    void start() throws Exception {
        f = RollingFixture.start(dir, 2, "", Map.of());
        cli = CliRunner.against(f.app.port(), TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
    }

    @Test
    void deployFollowsTheRunToItsEndAndShowStatusAndAuditDescribeIt() throws Exception {
        CliRunner.Result deployed = cli.run("deploy", "shop", "staging", "1.0.0", "--reason", "first release",
                "--follow", "--interval", "200ms");
        assertThat(deployed.exit()).as(deployed.toString()).isZero();
        long id = deployed.queuedId();
        assertThat(deployed.out()).startsWith("deployment " + id + " queued: shop/staging 1.0.0\n")
                .contains("reason: first release")
                .containsPattern("STAGE +HOST +TRY +STATUS +STARTED +TOOK +EXIT +DETAIL")
                .containsPattern("\ndeploy +127\\.0\\.0\\.11:\\d+ +1 +succeeded ")
                .containsPattern("\ndeploy +127\\.0\\.0\\.12:\\d+ +1 +succeeded ")
                .endsWith("-- status: succeeded\n");
        assertThat(deployed.err()).isEmpty();

        JsonNode stored = f.deployment(id);
        CliRunner.Result shown = cli.run("show", String.valueOf(id));
        assertThat(shown.exit()).as(shown.toString()).isZero();
        List<String> lines = shown.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("deployment " + id + ": shop/staging 1.0.0, rolling, manual by ci at "
                + stored.get("createdAt").asText());
        assertThat(lines).contains("reason: first release", "status: succeeded");
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("STAGE")).findFirst().orElseThrow());
        List<String> rows = lines.subList(header + 1, lines.size());
        assertThat(rows).as("one row per step, in order").hasSize(stored.get("steps").size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode step = stored.get("steps").get(i);
            assertThat(Arrays.asList(rows.get(i).split(" +"))).as(rows.get(i)).startsWith(step.get("stage").asText(),
                    step.get("host").asText(), step.get("attempt").asText(), step.get("status").asText());
        }

        CliRunner.Result asJson = cli.run("show", String.valueOf(id), "--json");
        assertThat(asJson.exit()).isZero();
        assertThat(json(asJson.out())).as("the API's JSON, as it answered").isEqualTo(stored);

        CliRunner.Result status = cli.run("status");
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out().lines().toList()).hasSize(2);
        assertThat(status.out().lines().toList().get(0).split(" +"))
                .containsExactly("APP", "ENV", "STRATEGY", "LIVE", "RUNNING", "QUEUED", "LOCKED");
        assertThat(status.out().lines().toList().get(1).split(" +"))
                .containsExactly("shop", "staging", "rolling", "1.0.0", "-", "0", "no");
        CliRunner.Result one = cli.run("status", "shop", "staging", "--json");
        assertThat(one.exit()).isZero();
        assertThat(json(one.out()).get("environments")).hasSize(1);
        assertThat(json(one.out()).get("environments").get(0).get("liveVersion").asText()).isEqualTo("1.0.0");
        CliRunner.Result unknown = cli.run("status", "shop", "qa");
        assertThat(unknown.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(unknown.err()).isEqualTo("greenlight: no environment shop/qa: it is not configured, or this "
                + "token may not act on it\n");

        CliRunner.Result markdown = cli.run("audit", "--format", "markdown");
        assertThat(markdown.exit()).as(markdown.toString()).isZero();
        assertThat(withoutClock(markdown.out()))
                .isEqualTo(withoutClock(f.app.get("/api/v1/audit?format=markdown", TOKEN).body()));
        assertThat(markdown.out()).startsWith("# Audit trail").contains("[#" + id + "]").contains("1.0.0")
                .contains("succeeded");
        CliRunner.Result csv = cli.run("audit", "--format", "csv");
        assertThat(csv.exit()).isZero();
        assertThat(csv.out().lines().findFirst().orElseThrow()).contains("duration_seconds");
        assertThat(csv.out()).contains("shop,staging,1.0.0");
        CliRunner.Result entries = cli.run("audit", "--json", "--limit", "3");
        assertThat(entries.exit()).isZero();
        assertThat(json(entries.out()).get("entries")).hasSize(3);
        assertThat(json(entries.out()).get("entries").get(0).get("deploymentId").asLong()).isEqualTo(id);
        CliRunner.Result newest = cli.run("audit", "--json", "--limit", "1");
        long nextBefore = json(newest.out()).get("nextBefore").asLong();
        CliRunner.Result older = cli.run("audit", "--json", "--limit", "3", "--before", String.valueOf(nextBefore));
        assertThat(older.exit()).as(older.toString()).isZero();
        assertThat(json(older.out()).get("entries")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("id").asLong()).isLessThan(nextBefore));
        assertThat(json(older.out())).isEqualTo(json(f.app.get("/api/v1/audit?limit=3&before=" + nextBefore, TOKEN)
                .body()));
        CliRunner.Result both = cli.run("audit", "--json", "--format", "csv");
        assertThat(both.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(both.err()).contains("--json and --format csv ask for two formats");
    }

    @Test
    void theExitSaysWhetherTheDeploymentFailedWasRolledBackOrSucceededAndRollbackRedeploysTheVersionBefore()
            throws Exception {
        f.hosts.hostDir(2).resolve("unhealthy-1.0.0").toFile().createNewFile();
        CliRunner.Result failed = cli.run("deploy", "shop", "staging", "1.0.0", "-f", "--interval", "200ms");
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(Exit.FAILED.code());
        assertThat(failed.out()).contains("-- status: failed (");
        assertThat(cli.run("show", String.valueOf(failed.queuedId())).exit()).isEqualTo(Exit.FAILED.code());

        long good = cli.run("deploy", "shop", "staging", "1.1.0", "-f", "--interval", "200ms").queuedId();
        assertThat(f.deployment(good).get("status").asText()).isEqualTo("succeeded");
        CliRunner.Result next = cli.run("deploy", "shop", "staging", "1.2.0", "-f", "--interval", "200ms");
        assertThat(next.exit()).as(next.toString()).isZero();

        CliRunner.Result rollback = cli.run("rollback", String.valueOf(next.queuedId()), "--reason", "slow pages",
                "--follow", "--interval", "200ms");
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        long back = rollback.queuedId();
        assertThat(rollback.out()).startsWith("deployment " + back + " queued: rollback of deployment "
                + next.queuedId() + " to shop/staging 1.1.0\n").contains("rollback by ci", "-- status: succeeded");
        JsonNode rolledBackTo = f.deployment(back);
        assertThat(rolledBackTo.get("rollbackOf").asLong()).isEqualTo(next.queuedId());
        assertThat(rolledBackTo.get("reason").asText()).isEqualTo("rollback of deployment " + next.queuedId()
                + ": slow pages");
        assertThat(Files.readString(f.hosts.hostDir(1).resolve("version")).trim()).isEqualTo("1.1.0");

        f.hosts.hostDir(1).resolve("unhealthy-2.0.0").toFile().createNewFile();
        CliRunner.Result bad = cli.run("deploy", "shop", "staging", "2.0.0", "--follow", "--interval", "200ms",
                "--json");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(Exit.ROLLED_BACK.code());
        ObjectNode ended = (ObjectNode) json(bad.out());
        assertThat(ended.get("status").asText()).as("--json --follow prints the ended deployment alone")
                .isEqualTo("rolled_back");
        // the incident report is linked once written, which may be after the status that --follow ended on
        JsonNode printed = ended.deepCopy().without("incidentUrl");
        JsonNode stored = ((ObjectNode) f.deployment(ended.get("id").asLong())).without("incidentUrl");
        assertThat(printed).isEqualTo(stored);
        long badId = ended.get("id").asLong();
        String incident = await().atMost(Duration.ofSeconds(60)).until(
                () -> DeploymentText.text(f.deployment(badId), "incidentUrl"), url -> !url.isEmpty());
        CliRunner.Result shown = cli.run("show", ended.get("id").asText());
        assertThat(shown.exit()).isEqualTo(Exit.ROLLED_BACK.code());
        assertThat(shown.out().lines()).contains("incident report: " + incident);
        assertThat(Files.readString(f.hosts.hostDir(1).resolve("version")).trim()).isEqualTo("1.1.0");
    }

    @Test
    void aRefusalPrintsTheApisMessageAsItCameAndExitsWithTheRefusedCode() throws Exception {
        long done = cli.run("deploy", "shop", "staging", "1.0.0", "-f", "--interval", "200ms").queuedId();

        CliRunner.Result invalid = cli.run("deploy", "shop", "staging", "1.0.0;reboot");
        String apiError = json(f.app.postJson("/api/v1/deployments", TOKEN,
                "{\"app\":\"shop\",\"environment\":\"staging\",\"version\":\"1.0.0;reboot\"}").body())
                .get("error").asText();
        assertThat(invalid.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(invalid.err()).isEqualTo("greenlight: refused (422): " + apiError + "\n");
        assertThat(invalid.out()).isEmpty();
        CliRunner.Result invalidJson = cli.run("deploy", "shop", "staging", "1.0.0;reboot", "--json");
        assertThat(invalidJson.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(json(invalidJson.out()).get("error").asText()).as("--json: the API's answer").isEqualTo(apiError);

        CliRunner.Result missing = cli.run("show", "99999");
        assertThat(missing.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(missing.err()).isEqualTo("greenlight: refused (404): no deployment 99999\n");

        CliRunner.Result noSuchEnvironment = cli.run("deploy", "shop", "production", "1.0.0");
        assertThat(noSuchEnvironment.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(noSuchEnvironment.err()).isEqualTo("greenlight: refused (404): app shop has no environment "
                + "production\n");

        CliRunner.Result ended = cli.run("cancel", String.valueOf(done), "--reason", "too late");
        assertThat(ended.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(ended.err()).startsWith("greenlight: refused (409): ").contains("deployment " + done);

        CliRunner.Result first = cli.run("rollback", String.valueOf(done));
        assertThat(first.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(first.err()).isEqualTo("greenlight: refused (409): deployment " + done + " was the first of "
                + "shop/staging: there is no earlier version to return to\n");

        CliRunner.Result wrongToken = cli.as("not-a-token-of-anyone").run("status");
        assertThat(wrongToken.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(wrongToken.err()).startsWith("greenlight: refused (401): ");
        assertThat(f.deployment(done).get("status").asText()).as("nothing refused changed anything")
                .isEqualTo("succeeded");
        assertThat(json(f.app.get("/api/v1/deployments", TOKEN).body()).get("deployments")).hasSize(1);
    }

    @Test
    void theTokenComesFromAFileWhenOneIsGivenAndCancelStopsARunningDeployment() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        CliRunner fromFile = CliRunner.against(f.app.port(), null);
        CliRunner.Result status = fromFile.run("status", "--token-file", tokenFile.toString());
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out()).contains("shop", "staging");
        CliRunner.Result none = fromFile.run("status");
        assertThat(none.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(none.err()).isEqualTo("greenlight: no API token: set GREENLIGHT_TOKEN or give --token-file "
                + "FILE\n");

        cli.run("deploy", "shop", "staging", "1.0.0", "-f", "--interval", "200ms");
        // the second release's deploy waits on host 1 until the test lets it go
        Files.writeString(f.hosts.hostDir(1).resolve("deploy.sh"),
                "while [ ! -e go ]; do sleep 0.05; done\necho \"$1\" > version\n");
        long id = cli.run("deploy", "shop", "staging", "1.1.0").queuedId();
        await().atMost(Duration.ofSeconds(60)).until(() -> f.deployment(id).get("status").asText().equals("running")
                && f.deployment(id).toString().contains("\"stage\":\"deploy\""));
        CliRunner.Result cancel = cli.run("cancel", String.valueOf(id), "--reason", "wrong build");
        assertThat(cancel.exit()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).isEqualTo("deployment " + id + " stops after its current step and rolls back what "
                + "it changed (status: running; follow it with: greenlight show " + id + " --follow)\n");
        Files.writeString(f.hosts.hostDir(1).resolve("go"), "");
        CliRunner.Result followed = cli.run("show", String.valueOf(id), "--follow", "--interval", "200ms");
        assertThat(followed.exit()).as(followed.toString()).isEqualTo(Exit.ROLLED_BACK.code());
        assertThat(Files.readString(f.hosts.hostDir(1).resolve("version")).trim()).isEqualTo("1.0.0");
    }

    /** The document says when it was rendered; two renderings a second apart are otherwise the same. */
    private static String withoutClock(String markdown) {
        return markdown.replaceFirst("as of [0-9-]+ [0-9:]+ UTC", "as of …");
    }
}
