package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A valid greenlight.yaml that asks for what it will not get: one WARN line each at start-up, naming the key. */
class ConfigWarningsTest {
    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ConfigWarnings.class);

    @BeforeEach
    void capture() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
    }

    @Test
    void eachUnsetVariableMissingFileAndFeatureNotInThisVersionIsOneWarning() throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/staging"), "key");
        Files.writeString(dir.resolve("keys/known_hosts"), "");
        Files.writeString(dir.resolve("bot-token"), "tok-bot-0123");
        Path config = write("""
                access:
                  - { name: deployer, token-env: TOKEN_DEPLOYER, environments: [staging] }
                  - { name: ci, token-env: TOKEN_CI, environments: [staging] }
                  - { name: bot, token-file: DIR/bot-token, environments: [staging] }
                github:
                  token-env: GITHUB_TOKEN
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: ["127.0.0.1:9"]
                        ssh: { user: deploy, key-file: DIR/keys/staging, known-hosts: DIR/keys/known_hosts }
                        commands: { deploy: "echo {{version}}" }
                        notify: [team]
                      production:
                        strategy: blue-green
                        hosts: ["127.0.0.2:9"]
                        ssh: { user: deploy, key-file: DIR/keys/production, known-hosts: DIR/keys }
                        colors: { blue: { port: 8081 }, green: { port: 8082 } }
                        commands: { deploy: "echo {{port}}", switch: "echo {{color}}", stop: "echo {{color}}" }
                        health: { url: "http://{{host}}:{{port}}", paths: [/health] }
                notifications:
                  team: { type: slack, url-env: SLACK_URL }
                  ops: { type: discord, url-file: DIR/ops-url }
                  chat: { type: teams, url-env: TEAMS_URL }
                """);
        Secrets env = new Secrets(Map.of("TOKEN_DEPLOYER", "tok-deployer-0123", "TEAMS_URL",
                "https://teams.example/hook")::get);

        ConfigWarnings.log(ConfigLoader.load(config), env);

        String f = config + ": ";
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN));
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                f + "access[1].token-env: TOKEN_CI is not set: access rule \"ci\" is dropped, and every call with its "
                        + "token is refused as not valid",
                f + "github.token-env: GITHUB_TOKEN is not set: no commit status or incident issue is sent",
                f + "apps.shop.environments.production.ssh.key-file: " + dir.resolve("keys/production")
                        + " does not exist: deployments of shop/production will fail at the pre-check",
                f + "apps.shop.environments.production.ssh.known-hosts: " + dir.resolve("keys")
                        + " is not a readable file: deployments of shop/production will fail at the pre-check",
                f + "notifications.ops.url-file: " + dir.resolve("ops-url") + " does not exist: the webhook URL of "
                        + "\"ops\" cannot be read",
                f + "notifications.team.url-env: SLACK_URL is not set: nothing can be sent to \"team\"");
    }

    @Test
    void aConfigurationWhoseEverySecretAndFileIsThereWarnsOfNothing() throws Exception {
        Files.writeString(dir.resolve("key"), "key");
        Files.writeString(dir.resolve("known_hosts"), "");
        Path config = write("""
                access:
                  - { name: deployer, token-env: TOKEN_DEPLOYER, environments: [staging] }
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      staging:
                        hosts: ["127.0.0.1:9"]
                        ssh: { user: deploy, key-file: DIR/key, known-hosts: DIR/known_hosts }
                        commands: { deploy: "echo {{version}}" }
                """);

        ConfigWarnings.log(ConfigLoader.load(config), new Secrets(Map.of("TOKEN_DEPLOYER", "tok-0123")::get));

        assertThat(logs.list).isEmpty();
    }

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("greenlight.yaml"), yaml.replace("DIR", dir.toString()));
    }
}
