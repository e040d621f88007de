package dev.greenlight.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** workflow_dispatch and deployment deliveries read from GitHub's published examples (and variants of them). */
class GithubTriggerEventParserTest {
    private final GithubEventParser parser = new GithubEventParser();

    @Test
    void theWorkflowDispatchExampleGivesTheWorkflowItsRefAndInputs() {
        GithubEvent e = parser.parse("workflow_dispatch", GithubFixtures.bytes("workflow_dispatch.json"));

        assertThat(e.type()).isEqualTo(GithubEvent.Type.WORKFLOW_DISPATCH);
        assertThat(e.repository()).isEqualTo("octo-org/octo-repo");
        assertThat(e.sender()).isEqualTo("Codertocat");
        assertThat(e.dispatch()).isEqualTo(new GithubEvent.Dispatch(".github/workflows/hello-world-workflow.yml",
                "refs/heads/master", Map.of("name", "Mona the Octocat")));
        assertThat(e.deployment()).isNull();
    }

    @Test
    void aBooleanOrNumberInputIsReadAsItsTextAndANullOneIsLeftOut() {
        ObjectNode run = GithubFixtures.tree("workflow_dispatch.json");
        run.putObject("inputs").put("dry-run", true).put("count", 3).putNull("note");

        GithubEvent e = parser.parse("workflow_dispatch", GithubFixtures.bytes(run));

        assertThat(e.dispatch().inputs()).isEqualTo(Map.of("dry-run", "true", "count", "3"));
    }

    @Test
    void theDeploymentExampleGivesItsIdCommitRefAndEnvironment() {
        GithubEvent e = parser.parse("deployment", GithubFixtures.bytes("deployment.created.json"));

        assertThat(e.type()).isEqualTo(GithubEvent.Type.DEPLOYMENT);
        assertThat(e.action()).isEqualTo("created");
        assertThat(e.repository()).isEqualTo("Codertocat/Hello-World");
        GithubEvent.Deployment d = e.deployment();
        assertThat(d.id()).isEqualTo(145988746L);
        assertThat(d.sha()).isEqualTo("f95f852bd8fca8fcc58a9a2d6c842781e32a215e");
        assertThat(d.ref()).isEqualTo("master");
        assertThat(d.environment()).isEqualTo("production");
        assertThat(d.version()).as("its payload is {}").isNull();
        assertThat(d.marker().isMissingNode()).isTrue();
    }

    @Test
    void aPayloadSentAsAStringOfJsonIsReadAndPlainTextIsNot() {
        ObjectNode event = GithubFixtures.tree("deployment.created.json");
        ObjectNode deployment = (ObjectNode) event.get("deployment");
        deployment.put("payload", "{\"version\":\"1.5.0\",\"greenlight\":{\"deploymentId\":4}}");
        GithubEvent e = parser.parse("deployment", GithubFixtures.bytes(event));
        assertThat(e.deployment().version()).isEqualTo("1.5.0");
        assertThat(e.deployment().marker().path("deploymentId").asLong()).isEqualTo(4);

        deployment.put("payload", "version 1.5.0");
        assertThat(parser.parse("deployment", GithubFixtures.bytes(event)).deployment().version()).isNull();
    }

    @Test
    void anIdThatIsNotANumberAndACommitThatIsNotAnIdAreNull() {
        ObjectNode event = GithubFixtures.tree("deployment.created.json");
        ((ObjectNode) event.get("deployment")).put("id", "145988746").put("sha", "master");

        GithubEvent.Deployment d = parser.parse("deployment", GithubFixtures.bytes(event)).deployment();

        assertThat(d.id()).isNull();
        assertThat(d.sha()).isNull();
    }
}
