package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.ssh.EmbeddedSshServer;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One service, never restarted, through the rotations of the reliability issue: greenlight.yaml changed while a
 * deployment runs (that one finishes on the configuration it started with, the next uses the new one), the client key
 * replaced (read at the next connection), and known_hosts replaced by one that no longer trusts the host (refused at
 * the next connection).
 */
class RotationWithoutRestartTest {
    @TempDir
    Path dir;

    @Test
    void aReloadAppliesBetweenDeploymentsAndKeysAndKnownHostsAreReadAtEveryConnection() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "", Map.of(), "", "", null, null,
                UnaryOperator.identity(), "", Map.of("greenlight.config.watch-period", "200ms",
                        // every deployment connects: what is read at a connection is what this test is about (a
                        // session kept between deployments and retired when the files change: SshSessionPoolTest)
                        "greenlight.ssh.persist", "0"))) {
            Path host = f.hosts.hostDir(1);
            aDeploymentRunningDuringAReloadFinishesOnItsConfiguration(f, host);
            aReplacedKeyFileIsUsedAtTheNextConnection(f);
            aReplacedKnownHostsFileThatNoLongerTrustsTheHostRefusesIt(f);
        }
    }

    private void aDeploymentRunningDuringAReloadFinishesOnItsConfiguration(RollingFixture f, Path host)
            throws IOException {
        f.hosts.deployScript(1, "while [ ! -f go ]; do sleep 0.1; done\n" + TestHosts.DEFAULT_DEPLOY_SCRIPT);
        long first = f.deploy("v1");
        await().atMost(Duration.ofSeconds(60)).until(() -> f.hosts.ssh(1).commands().stream()
                .anyMatch(c -> c.contains("deploy.sh")));

        Path config = dir.resolve("greenlight.yaml");
        String yaml = Files.readString(config);
        String reloaded = yaml.replace("deploy: \"sh ./deploy.sh {{version}}\"",
                "deploy: \"echo {{version}} > reloaded; sh ./deploy.sh {{version}}\"");
        assertThat(reloaded).isNotEqualTo(yaml);
        replace(config, reloaded);
        await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count(f.db,
                "select count(*) from audit_log where action = 'config.reloaded'") == 1);
        assertThat(f.deployment(first).get("status").asText()).as("the reload did not wait for it").isEqualTo("running");

        Files.writeString(host.resolve("go"), "");
        assertThat(f.awaitEnd(first).get("status").asText()).isEqualTo("succeeded");
        assertThat(host.resolve("reloaded")).as("deployment 1 ran its own command").doesNotExist();
        f.deployed("v2");
        assertThat(host.resolve("reloaded")).as("the next one runs the new command").hasContent("v2\n");
        assertThat(f.hosts.version(1)).isEqualTo("v2");
    }

    private void aReplacedKeyFileIsUsedAtTheNextConnection(RollingFixture f) throws IOException {
        KeyPair next = EmbeddedSshServer.generateKeyPair(KeyPairProvider.SSH_ED25519);
        f.hosts.ssh(1).acceptOnly(next.getPublic()); // the host's authorized_keys now lists the new key only

        int opened = f.hosts.ssh(1).sessionsOpened();
        JsonNode refused = f.awaitEnd(f.deploy("v3"));
        assertThat(refused.get("status").asText()).isEqualTo("failed");
        assertThat(refused.get("detail").asText()).contains("authentication refused");

        Path written = EmbeddedSshServer.writePrivateKey(next, dir.resolve("hosts/keys/id_next"));
        Files.move(written, f.hosts.keyFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        f.deployed("v4");
        assertThat(f.hosts.version(1)).isEqualTo("v4");
        assertThat(f.hosts.ssh(1).sessionsOpened()).as("logged in anew with the key now in the file").isGreaterThan(opened);
    }

    private void aReplacedKnownHostsFileThatNoLongerTrustsTheHostRefusesIt(RollingFixture f) throws IOException {
        KeyPair stranger = EmbeddedSshServer.generateKeyPair(KeyPairProvider.SSH_ED25519);
        replace(f.hosts.knownHosts(), f.hosts.ssh(1).knownHostsLine(stranger.getPublic()) + "\n");

        JsonNode refused = f.awaitEnd(f.deploy("v5"));

        assertThat(refused.get("status").asText()).isEqualTo("failed");
        assertThat(refused.get("detail").asText()).contains("CHANGED");
        assertThat(f.hosts.version(1)).as("nothing ran on the untrusted host").isEqualTo("v4");
    }

    /** As a rotation replaces a file: a new one renamed over the old. */
    private static void replace(Path file, String content) throws IOException {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".new"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
