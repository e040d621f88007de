package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlight.testing.TestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** greenlight.yaml is validated before anything starts; each mistake is one message with file, key path and problem. */
class ConfigLoaderTest {
    /** A valid environment body, indented for use under {@code apps.shop.environments.<name>}. */
    private static final String SSH = "        ssh: { user: deploy, key-file: /keys/k, known-hosts: /keys/kh }\n";

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path f = dir.resolve("greenlight.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** One app {@code shop} with one environment {@code staging} whose body is {@code envBody} (8-space indent). */
    private Path withEnvironment(String envBody) throws IOException {
        return file("""
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                """ + envBody);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(Path f) {
        return assertThatThrownBy(() -> ConfigLoader.load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": ")
                .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
    }

    @Test
    void theShippedExampleConfigurationLoads() {
        GreenlightConfig config = ConfigLoader.load(Path.of("examples/greenlight.yaml"));

        assertThat(config.apps()).containsOnlyKeys("flowstate");
        EnvironmentConfig staging = config.environment("flowstate", "staging").orElseThrow();
        assertThat(staging.trigger().triggers()).containsExactly(new TriggerSpec.Push("develop"));
        assertThat(staging.hosts()).extracting(HostAddress::toString).containsExactly("stg-1.internal", "stg-2.internal:2222");
        assertThat(staging.health().interval()).isEqualTo(Duration.ofSeconds(3));
        EnvironmentConfig production = config.environment("flowstate", "production").orElseThrow();
        assertThat(production.trigger().triggers()).containsExactly(new TriggerSpec.Release("published"));
        assertThat(production.strategy()).isEqualTo(Strategy.BLUE_GREEN);
        assertThat(config.access()).extracting(AccessRule::name).containsExactly("release-bot");
        assertThat(config.notifications()).containsOnlyKeys("team");
    }

    @Test
    void theTestConfigurationLoadsWithItsDefaults() {
        GreenlightConfig config = ConfigLoader.load(TestConfig.write(dir));

        EnvironmentConfig qa = config.environment("shop", "qa").orElseThrow();
        assertThat(qa.trigger()).isEqualTo(TriggerSpec.MANUAL);
        assertThat(qa.strategy()).isEqualTo(Strategy.ROLLING);
        assertThat(qa.version().text()).isEqualTo("sha-{{sha7}}");
        assertThat(qa.commandTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(qa.ssh().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.environments()).hasSize(5);
    }

    // ---- unknown keys --------------------------------------------------------------------------------------

    @Test
    void anUnknownTopLevelKeyIsRefused() throws IOException {
        Path f = file("""
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                deploymnets: 3
                """);
        refused(f).hasMessageContaining("deploymnets: unknown key");
    }

    @Test
    void anUnknownNestedKeyIsRefusedWithItsFullPath() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                        health:
                          url: "http://{{host}}:8080"
                          paths: [/health]
                          retries: 3
                """);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.health.retries: unknown key "
                + "(expected one of: command, url, paths, attempts, interval, timeout)");
    }

    @Test
    void anUnknownCommandHookIsRefused() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x", predeploy: "y" }
                """);
        refused(f).hasMessageContaining("apps.shop.environments.staging.commands.predeploy: unknown key");
    }

    // ---- required keys -------------------------------------------------------------------------------------

    @Test
    void aMissingRepositoryIsRefused() throws IOException {
        Path f = file("""
                apps:
                  shop:
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": apps.shop.repository: is required");
    }

    @Test
    void aMissingSshUserIsRefused() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                        ssh: { key-file: /k, known-hosts: /kh }
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.ssh.user: is required");
    }

    @Test
    void aRollingEnvironmentWithoutADeployCommandIsRefused() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                """ + SSH);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.commands.deploy: is required for a rolling environment");
    }

    @Test
    void aFileWithoutAppsIsRefused() throws IOException {
        Path f = file("notifications: {}\n");
        refused(f).hasMessage(f + ": apps: is required: at least one app");
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Path f = file("");
        refused(f).hasMessageContaining("the file is empty");
    }

    @Test
    void aMissingFileIsRefused() {
        Path f = dir.resolve("nope.yaml");
        refused(f).hasMessageContaining("cannot read the deployment configuration");
    }

    @Test
    void invalidYamlIsRefused() throws IOException {
        Path f = file("apps:\n  shop: [unclosed\n");
        refused(f).hasMessageStartingWith(f + ": not valid YAML at line 3, column 1: ");
    }

    @Test
    void aDuplicateKeyIsRefused() throws IOException {
        Path f = file("""
                apps:
                  shop:
                    repository: acme/shop
                    repository: acme/other
                """);
        refused(f).hasMessage(f + ": not valid YAML at line 4, column 5: found duplicate key repository "
                + "(while constructing a mapping)");
    }

    // ---- durations -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"3 seconds", "3", "-1s", "1d", "PT3S"})
    void aBadDurationIsRefused(String interval) throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                        health:
                          url: "http://{{host}}:8080"
                          paths: [/health]
                          interval: "%s"
                """.formatted(interval));
        refused(f).hasMessage(f + ": apps.shop.environments.staging.health.interval: \"" + interval
                + "\" is not a duration (examples: 500ms, 3s, 2m, 1h)");
    }

    @Test
    void aBadCommandTimeoutIsRefused() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                        command-timeout: ten minutes
                """);
        refused(f).hasMessageContaining("apps.shop.environments.staging.command-timeout: \"ten minutes\" is not a timeout");
    }

    @Test
    void keyExchangeIsAnOrderedListOfSupportedAlgorithms() throws IOException {
        Path ok = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh, key-exchange: [curve25519-sha256, mlkem768x25519-sha256] }
                        commands: { deploy: "x" }
                """);
        assertThat(ConfigLoader.load(ok).environment("shop", "staging").orElseThrow().ssh().keyExchange())
                .containsExactly("curve25519-sha256", "mlkem768x25519-sha256");

        Path weak = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh, key-exchange: [curve25519-sha256, diffie-hellman-group1-sha1] }
                        commands: { deploy: "x" }
                """);
        refused(weak).hasMessageStartingWith(weak + ": apps.shop.environments.staging.ssh.key-exchange[1]: "
                + "\"diffie-hellman-group1-sha1\" is not a supported key exchange (supported: sntrup761x25519-sha512");

        Path empty = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh, key-exchange: [] }
                        commands: { deploy: "x" }
                """);
        refused(empty).hasMessage(empty + ": apps.shop.environments.staging.ssh.key-exchange: must name at least one "
                + "algorithm (leave it out for the default)");
    }

    @Test
    void maxConcurrentStartsDefaultsToThirtyAndMustBeFromOneToAThousand() throws IOException {
        Path unset = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh }
                        commands: { deploy: "x" }
                """);
        assertThat(ConfigLoader.load(unset).environment("shop", "staging").orElseThrow().ssh().maxConcurrentStarts())
                .isEqualTo(30);
        Path five = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh, max-concurrent-starts: 5 }
                        commands: { deploy: "x" }
                """);
        assertThat(ConfigLoader.load(five).environment("shop", "staging").orElseThrow().ssh().maxConcurrentStarts())
                .isEqualTo(5);
        Path zero = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh, max-concurrent-starts: 0 }
                        commands: { deploy: "x" }
                """);
        refused(zero).hasMessageStartingWith(zero + ": apps.shop.environments.staging.ssh.max-concurrent-starts: ");
    }

    @Test
    void aZeroTimeoutIsRefusedAtStartUp() throws IOException {
        Path connect = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh, connect-timeout: 0s }
                        commands: { deploy: "x" }
                """);
        refused(connect).hasMessage(connect + ": apps.shop.environments.staging.ssh.connect-timeout: \"0s\" is not a "
                + "timeout (more than zero, for example 500ms, 3s, 2m, 1h)");
        Path command = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                        command-timeout: 0ms
                """);
        refused(command).hasMessageContaining("staging.command-timeout: \"0ms\" is not a timeout");
    }

    @Test
    void durationsAreReadInEveryUnit() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, key-file: /k, known-hosts: /kh, connect-timeout: 500ms }
                        commands: { deploy: "x" }
                        command-timeout: 1h
                        health: { command: "true", interval: 2m, timeout: 7s }
                """);
        EnvironmentConfig env = ConfigLoader.load(f).environment("shop", "staging").orElseThrow();
        assertThat(env.ssh().connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(env.commandTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(env.health().interval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(env.health().timeout()).isEqualTo(Duration.ofSeconds(7));
    }

    // ---- hosts ---------------------------------------------------------------------------------------------

    @Test
    void anEnvironmentWithoutHostsIsRefused() throws IOException {
        Path f = withEnvironment(SSH + """
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.hosts: is required: an environment needs at least one host");
    }

    @Test
    void anEnvironmentWithAnEmptyHostListIsRefused() throws IOException {
        Path f = withEnvironment("""
                        hosts: []
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.hosts: is empty: an environment needs at least one host");
    }

    @Test
    void aBadOrDuplicateHostIsRefusedWithItsIndex() throws IOException {
        Path bad = withEnvironment("""
                        hosts: [ok-1, "bad host"]
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(bad).hasMessage(bad + ": apps.shop.environments.staging.hosts[1]: \"bad host\" is not host or host:port");

        Path twice = withEnvironment("""
                        hosts: [a, "a:22"]
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(twice).hasMessageContaining("apps.shop.environments.staging.hosts[1]: \"a:22\" is listed twice");
    }

    // ---- notifications -------------------------------------------------------------------------------------

    @Test
    void aNotificationThatIsNotDefinedIsRefused() throws IOException {
        Path f = file("""
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                        notify: [team, ops]
                notifications:
                  team: { type: slack, url-env: SLACK_URL }
                """);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.notify[1]: notification \"ops\" is not defined under notifications");
    }

    // ---- secrets -------------------------------------------------------------------------------------------

    @Test
    void anInlineApiTokenIsRefused() throws IOException {
        Path f = file("""
                access:
                  - name: bot
                    token: abc123
                    environments: [staging]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": access[0].token: secrets may not be written in this file: use token-env or token-file");
    }

    @Test
    void anInlineNotificationUrlIsRefused() throws IOException {
        Path f = file("""
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                notifications:
                  team: { type: slack, url: "https://hooks.slack.com/services/T000/B000/XXXX" }
                """);
        refused(f).hasMessage(f + ": notifications.team.url: secrets may not be written in this file: use url-env or url-file");
    }

    @Test
    void anInlineSshPasswordIsRefused() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                        ssh: { user: deploy, password: hunter2, known-hosts: /kh }
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.ssh.password: secrets may not be written in this "
                + "file: use nothing: only key authentication is accepted");
    }

    @Test
    void anInlineGithubTokenIsRefused() throws IOException {
        Path f = file("""
                github: { token: ghp_abcdef }
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": github.token: secrets may not be written in this file: use token-env or token-file");
    }

    @Test
    void theSecretValueIsNeverRepeatedInTheMessage() throws IOException {
        Path f = file("""
                access:
                  - name: bot
                    token: s3cr3t-value-xyz
                    environments: [staging]
                apps: {}
                """);
        refused(f).satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-value-xyz"));
    }

    // ---- templates -----------------------------------------------------------------------------------------

    @Test
    void anUnknownPlaceholderInACommandIsRefused() throws IOException {
        Path f = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "deploy {{nope}}" }
                """);
        refused(f).hasMessage(f + ": apps.shop.environments.staging.commands.deploy: unknown placeholder {{nope}} "
                + "(allowed: app, deployment, environment, host, previous_version, sha, sha7, version)");
    }

    @Test
    void anUnknownPlaceholderInTheVersionOrHealthUrlIsRefused() throws IOException {
        Path version = withEnvironment("""
                        version: "v-{{version}}"
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(version).hasMessage(version + ": apps.shop.environments.staging.version: unknown placeholder "
                + "{{version}} (allowed: ref, sha, sha7)");

        Path url = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                        health: { url: "http://{{host}}:{{port}}", paths: [/health] }
                """);
        refused(url).hasMessageContaining("apps.shop.environments.staging.health.url: unknown placeholder {{port}}");
    }

    @Test
    void dockerGoTemplatesPassThroughUntouched() throws IOException {
        String check = "test \"$(docker inspect -f '{{.State.Health.Status}}' shop)\" = healthy";
        String deploy = "docker ps --format '{{json .}}' && IMAGE_TAG={{version}} docker compose up -d --wait "
                + "&& docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' shop";
        Path f = withEnvironment("""
                        hosts: [a]
                """ + SSH + """
                        commands:
                          deploy: "%s"
                        health:
                          command: "%s"
                """.formatted(deploy.replace("\"", "\\\""), check.replace("\"", "\\\"")));

        EnvironmentConfig env = ConfigLoader.load(f).environment("shop", "staging").orElseThrow();
        Template t = env.command("deploy").orElseThrow();
        assertThat(t.names()).containsExactly("version");
        assertThat(t.renderShell(java.util.Map.of("version", "v1.2.3"))).isEqualTo(
                "docker ps --format '{{json .}}' && IMAGE_TAG='v1.2.3' docker compose up -d --wait "
                        + "&& docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' shop");
        assertThat(env.health().command()).isEqualTo(check);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "echo {{version}}|v1;touch PWNED|echo 'v1;touch PWNED'",
            "echo {{version}}|it's|echo 'it'\\''s'",
            "echo {{version}}|$(touch PWNED)|echo '$(touch PWNED)'",
            "IMAGE_TAG={{version}} run|a b|IMAGE_TAG='a b' run"})
    void renderedValuesAreShellQuoted(String command, String value, String expected) {
        Template t = Template.parse(command, Template.COMMAND_NAMES);
        assertThat(t.renderShell(java.util.Map.of("version", value))).isEqualTo(expected);
    }

    @Test
    void aHostileVersionStaysOneWordInARealShell() throws Exception {
        Path pwned = dir.resolve("pwned");
        String value = "v1;touch " + pwned + ";echo `touch " + pwned + "` $(touch " + pwned + ") 'x\" \\";
        Template t = Template.parse("printf '%s\\n' {{version}} {{host}}", Template.COMMAND_NAMES);

        String command = t.renderShell(java.util.Map.of("version", value, "host", "h1"));
        Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());

        assertThat(p.waitFor()).isZero();
        assertThat(out.lines().toList()).as("each value is exactly one argument").containsExactly(value, "h1");
        assertThat(pwned).doesNotExist();
    }

    @Test
    void plainRenderingAndMissingValues() {
        Template t = Template.parse("http://{{host}}:8080/{{environment}}", Template.URL_NAMES);
        assertThat(t.renderPlain(java.util.Map.of("host", "h1", "environment", "qa"))).isEqualTo("http://h1:8080/qa");
        assertThatThrownBy(() -> t.renderPlain(java.util.Map.of("host", "h1")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("{{environment}}");
    }

    // ---- access --------------------------------------------------------------------------------------------

    @Test
    void accessToAnUnknownEnvironmentIsRefused() throws IOException {
        Path f = file("""
                access:
                  - name: bot
                    token-env: BOT_TOKEN
                    environments: [staging, prod]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                """);
        refused(f).hasMessage(f + ": access[0].environments[1]: environment \"prod\" is not defined by any app");
    }

    @Test
    void roleAdminMarksAnAdminTokenAndAnyOtherRoleIsRefused() throws IOException {
        String yaml = """
                access:
                  - name: ops
                    token-env: OPS_TOKEN
                    environments: [staging]
                    role: ROLE
                  - name: bot
                    token-env: BOT_TOKEN
                    environments: [staging]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: [a]
                """ + SSH + """
                        commands: { deploy: "x" }
                """;
        assertThat(ConfigLoader.load(file(yaml.replace("ROLE", "admin"))).access())
                .extracting(AccessRule::name, AccessRule::admin).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ops", true), org.assertj.core.groups.Tuple.tuple("bot", false));
        assertThat(ConfigLoader.load(file(yaml.replace("ROLE", "deploy"))).access().get(0).admin()).isFalse();
        Path f = file(yaml.replace("ROLE", "root"));
        refused(f).hasMessage(f + ": access[0].role: \"root\" is not one of deploy, admin");
    }

    @Test
    void accessRulesAllowOnlyTheirEnvironmentsAndApps() {
        AccessRule rule = new AccessRule("bot", List.of("T"), null, java.util.Set.of("shop"), java.util.Set.of("staging"), false);
        assertThat(rule.allows("shop", "staging")).isTrue();
        assertThat(rule.allows("shop", "production")).isFalse();
        assertThat(rule.allows("blog", "staging")).isFalse();
        AccessRule anyApp = new AccessRule("bot", List.of("T"), null, java.util.Set.of(), java.util.Set.of("staging"), false);
        assertThat(anyApp.allows("blog", "staging")).isTrue();
    }

    @Test
    void everyProblemNamesTheFileItIsIn() throws IOException {
        for (String yaml : List.of("apps: 3\n", "apps:\n  Shop!: {}\n", "apps:\n  shop:\n    repository: nope\n")) {
            Path f = file(yaml);
            refused(f);
        }
    }
}
