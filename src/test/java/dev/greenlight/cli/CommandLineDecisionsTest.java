package dev.greenlight.cli;

import static dev.greenlight.bluegreen.BlueGreenFixture.ALICE;
import static dev.greenlight.bluegreen.BlueGreenFixture.BOB;
import static dev.greenlight.bluegreen.BlueGreenFixture.OUTSIDER;
import static dev.greenlight.bluegreen.BlueGreenFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.bluegreen.BlueGreenFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * approve, reject, promote and cancel of the command line on a blue-green environment that needs both an approval
 * and a promotion: the real service, real SSH hosts, real colours, several tokens.
 */
class CommandLineDecisionsTest {
    @TempDir
    Path dir;
    BlueGreenFixture f;
    CliRunner alice;
    CliRunner bob;

    @BeforeEach
    void start() throws Exception {
        f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(2, "", """
                approval: required
                approval-timeout: 1h
                promotion: manual
                promotion-timeout: 1h
                watch: { duration: 0s }
                """));
        alice = CliRunner.against(f.app.port(), ALICE);
        bob = alice.as(BOB);
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
    }

    @Test
    void aReleaseIsApprovedByAnotherTokenThenPromotedAndFollowedToItsSwitch() throws Exception {
        long id = alice.run("deploy", "shop", "production", "2.0.0").queuedId();
        JsonNode waiting = f.awaitStatus(id, "awaiting_approval");

        CliRunner.Result shown = alice.run("show", String.valueOf(id));
        assertThat(shown.exit()).as("not ended: 0").isZero();
        assertThat(shown.out()).contains("status: awaiting_approval (" + waiting.get("detail").asText() + ")");

        CliRunner.Result self = alice.run("approve", String.valueOf(id));
        assertThat(self.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(self.err()).startsWith("greenlight: refused (403): token alice triggered deployment " + id)
                .contains("may not approve it itself");
        CliRunner.Result outsider = alice.as(OUTSIDER).run("approve", String.valueOf(id));
        assertThat(outsider.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(outsider.err()).isEqualTo("greenlight: refused (404): no deployment " + id + "\n");
        CliRunner.Result early = bob.run("promote", String.valueOf(id));
        assertThat(early.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(early.err()).startsWith("greenlight: refused (409): deployment " + id
                + " is awaiting_approval, not awaiting_promotion");

        CliRunner.Result approved = bob.run("approve", String.valueOf(id), "--reason", "change ticket 42");
        assertThat(approved.exit()).as(approved.toString()).isZero();
        assertThat(approved.out()).startsWith("approved deployment " + id + ": status: queued");
        assertThat(f.awaitStatus(id, "awaiting_promotion").get("approvedBy").asText()).isEqualTo("bob");
        assertThat(f.live(1)).as("no traffic moved before the promotion").isNull();

        CliRunner.Result promoted = bob.run("promote", String.valueOf(id), "--follow", "--interval", "200ms");
        assertThat(promoted.exit()).as(promoted.toString()).isZero();
        assertThat(promoted.out()).startsWith("promoted deployment " + id + ": status: running")
                .containsPattern("\nswitch +127\\.0\\.0\\.11:\\d+ +1 +succeeded ")
                .containsPattern("\nswitch +127\\.0\\.0\\.12:\\d+ +1 +succeeded ")
                .containsPattern("\n-- status: succeeded[^\n]*\n$");
        assertThat(f.live(1)).isEqualTo("blue");
        assertThat(f.liveAnswer(2)).startsWith("200").contains("\"version\":\"2.0.0\"");
    }

    @Test
    void aDeploymentAwaitingApprovalIsRejectedOrCancelledAndShowThenExitsCancelled() throws Exception {
        long rejected = alice.run("deploy", "shop", "production", "2.0.0").queuedId();
        f.awaitStatus(rejected, "awaiting_approval");
        CliRunner.Result selfReject = alice.run("reject", String.valueOf(rejected));
        assertThat(selfReject.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(selfReject.err()).contains("(403)").contains("cancel it instead");

        CliRunner.Result reject = bob.run("reject", String.valueOf(rejected), "--reason", "not during the sale",
                "--json");
        assertThat(reject.exit()).as(reject.toString()).isZero();
        assertThat(json(reject.out()).get("status").asText()).isEqualTo("cancelled");
        assertThat(json(reject.out()).get("detail").asText()).isEqualTo("rejected by bob: not during the sale");
        assertThat(bob.run("show", String.valueOf(rejected)).exit()).isEqualTo(Exit.CANCELLED.code());

        long cancelled = alice.run("deploy", "shop", "production", "2.0.1").queuedId();
        f.awaitStatus(cancelled, "awaiting_approval");
        CliRunner.Result cancel = alice.run("cancel", String.valueOf(cancelled), "--follow", "--interval", "200ms");
        assertThat(cancel.exit()).as("followed to its end: cancelled").isEqualTo(Exit.CANCELLED.code());
        assertThat(cancel.out()).startsWith("cancelled deployment " + cancelled + ": status: cancelled");
        assertThat(f.log(1)).as("nothing was deployed").isEmpty();

        CliRunner.Result forbidden = alice.as(OUTSIDER).run("deploy", "shop", "production", "2.0.2");
        assertThat(forbidden.exit()).isEqualTo(Exit.REFUSED.code());
        assertThat(forbidden.err()).startsWith("greenlight: refused (403): ");
        assertThat(json(f.app.get("/api/v1/deployments", ALICE).body()).get("deployments")).hasSize(2);
    }
}
