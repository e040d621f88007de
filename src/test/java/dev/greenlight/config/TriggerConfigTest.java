package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Triggers in greenlight.yaml: the list form, the GitHub kinds, and the key-path errors of each mistake. */
class TriggerConfigTest {
    private static final String BODY = """
                    hosts: [a]
                    ssh: { user: deploy, key-file: /keys/k, known-hosts: /keys/kh }
                    commands: { deploy: "x" }
            """;

    @TempDir
    Path dir;

    /** App {@code shop} (acme/shop) with environments staging and production, each with its {@code trigger:} line. */
    private Path config(String top, String stagingTrigger, String productionTrigger) throws IOException {
        return Files.writeString(dir.resolve("greenlight.yaml"), top + """
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        %s
                %s
                      production:
                        %s
                %s
                """.formatted(stagingTrigger, BODY, productionTrigger, BODY));
    }

    private static void refused(Path f, String message) {
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ": " + message);
    }

    @Test
    void anEntryNamingTwoKindsIsTwoTriggersAsBeforeTheListForm() throws IOException {
        GreenlightConfig config = ConfigLoader.load(config("", "trigger: { push: main, release: published }",
                "trigger: [{ push: develop, release: prereleased }, { deployment: production }]"));

        assertThat(config.environment("shop", "staging").orElseThrow().trigger().triggers())
                .containsExactly(new TriggerSpec.Push("main"), new TriggerSpec.Release("published"));
        assertThat(config.environment("shop", "production").orElseThrow().trigger().triggers()).hasSize(3);
    }

    @Test
    void anEnvironmentMayHaveSeveralTriggersAndTheSingleFormStaysValid() throws IOException {
        GreenlightConfig config = ConfigLoader.load(config("", "trigger: { push: main }", """
                trigger:
                          - { release: published }
                          - { workflow-dispatch: .github/workflows/deploy.yml, version-input: tag }
                          - { workflow-dispatch: .github/workflows/hotfix.yaml }
                          - { deployment: Production }
                        environment-url: https://shop.example.com"""));

        EnvironmentConfig staging = config.environment("shop", "staging").orElseThrow();
        assertThat(staging.trigger().triggers()).containsExactly(new TriggerSpec.Push("main"));
        assertThat(staging.environmentUrl()).isNull();
        EnvironmentConfig production = config.environment("shop", "production").orElseThrow();
        assertThat(production.trigger().triggers()).containsExactly(new TriggerSpec.Release("published"),
                new TriggerSpec.WorkflowDispatch(".github/workflows/deploy.yml", "tag"),
                new TriggerSpec.WorkflowDispatch(".github/workflows/hotfix.yaml", "version"),
                new TriggerSpec.GithubDeployment("Production"));
        assertThat(production.trigger().onDeployment("production")).as("GitHub ignores the case").isTrue();
        assertThat(production.trigger().onDeployment("staging")).isFalse();
        assertThat(production.trigger().onWorkflowDispatch(".github/workflows/other.yml")).isEmpty();
        assertThat(production.environmentUrl()).isEqualTo("https://shop.example.com");
    }

    @Test
    void anUnknownTriggerKindIsRefusedWithItsKeyPath() throws IOException {
        refused(config("", "trigger: [{ push: main }, { tag: v1 }]", ""),
                "apps.shop.environments.staging.trigger[1].tag: unknown key (expected one of: push, release, "
                        + "workflow-dispatch, deployment, version-input)");
        refused(config("", "trigger: { }", ""),
                "apps.shop.environments.staging.trigger: names no trigger kind (one of: push, release, "
                        + "workflow-dispatch, deployment)");
        refused(config("", "trigger: []", ""),
                "apps.shop.environments.staging.trigger: is empty: list the triggers, or leave trigger out "
                        + "(deployed through the API only)");
    }

    @Test
    void aVersionInputWithoutWorkflowDispatchIsRefused() throws IOException {
        refused(config("", "trigger: [{ deployment: staging, version-input: version }]", ""),
                "apps.shop.environments.staging.trigger[0].version-input: is only for a workflow-dispatch trigger");
    }

    @Test
    void aWorkflowOutsideGithubWorkflowsOrABadInputNameIsRefused() throws IOException {
        refused(config("", "trigger: { workflow-dispatch: deploy.yml }", ""),
                "apps.shop.environments.staging.trigger.workflow-dispatch: \"deploy.yml\" is not a workflow file "
                        + "path like .github/workflows/deploy.yml (GitHub names the workflow by that path)");
        refused(config("", "trigger: { workflow-dispatch: .github/workflows/d.yml, version-input: \"a b\" }", ""),
                "apps.shop.environments.staging.trigger.version-input: \"a b\" is not a workflow input name");
    }

    @Test
    void twoEnvironmentsClaimingOneTriggerOfARepositoryAreRefused() throws IOException {
        refused(config("", "trigger: { deployment: live }", "trigger: [{ release: published }, { deployment: LIVE }]"),
                "apps.shop.environments.production.trigger: deployment: live of acme/shop is already the trigger "
                        + "of shop/staging: one event would deploy both");
        refused(config("", "trigger: { workflow-dispatch: .github/workflows/d.yml }",
                        "trigger: { workflow-dispatch: .github/workflows/d.yml, version-input: v }"),
                "apps.shop.environments.production.trigger: workflow-dispatch: .github/workflows/d.yml of acme/shop "
                        + "is already the trigger of shop/staging: one event would deploy both");
        refused(config("", "trigger: [{ push: main }, { push: main }]", ""),
                "apps.shop.environments.staging.trigger[1]: repeats the trigger push: main");
    }

    @Test
    void twoAppsOfOneRepositoryMayNotClaimOneTriggerEither() throws IOException {
        Path f = Files.writeString(dir.resolve("greenlight.yaml"), """
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        trigger: { push: main }
                %s
                  shop-worker:
                    repository: Acme/Shop
                    environments:
                      staging:
                        trigger: { push: main }
                %s
                """.formatted(BODY, BODY));
        refused(f, "apps.shop-worker.environments.staging.trigger: push: main of Acme/Shop is already the trigger "
                + "of shop/staging: one event would deploy both");
    }

    @Test
    void environmentUrlMustBeAnHttpUrl() throws IOException {
        refused(config("", "environment-url: shop.example.com", ""),
                "apps.shop.environments.staging.environment-url: \"shop.example.com\" is not an http(s) URL");
    }

    @Test
    void aDeploymentTriggerWithoutAGithubTokenIsWarnedAbout() throws IOException {
        Path f = config("", "trigger: { deployment: staging }", "");
        // (the made-up key files are warned about too)
        assertThat(ConfigWarnings.of(ConfigLoader.load(f), new Secrets(java.util.Map.<String, String>of()::get)))
                .filteredOn(w -> w.contains(".trigger:")).containsExactly(f + ": apps.shop.environments.staging.trigger: a deployment trigger without a github "
                        + "token: GitHub's deployments are deployed, but never told how it went");
        Path withToken = config("github: { token-file: /run/secrets/github }\n", "trigger: { deployment: staging }", "");
        assertThat(ConfigWarnings.of(ConfigLoader.load(withToken), new Secrets(java.util.Map.<String, String>of()::get)))
                .noneMatch(w -> w.contains(".trigger:"));
    }

    @Test
    void theDeploymentsMirrorIsOnUnlessTurnedOff() throws IOException {
        assertThat(ConfigLoader.load(config("github: { token-env: GITHUB_TOKEN }\n", "", "")).github().deployments())
                .isTrue();
        assertThat(ConfigLoader.load(config("github: { token-env: GITHUB_TOKEN, deployments: false }\n", "", ""))
                .github().deployments()).isFalse();
    }
}
