package dev.greenlight.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsTest {

    private static final Path SOURCE = Path.of("/etc/greenlight/known_hosts");
    private static final KeyPair ED25519 = EmbeddedSshServer.generateKeyPair("ssh-ed25519");
    private static final KeyPair OTHER = EmbeddedSshServer.generateKeyPair("ssh-ed25519");
    private static final KeyPair RSA = EmbeddedSshServer.generateKeyPair("ssh-rsa");

    @TempDir
    Path tmp;

    @Test
    void parsesPlainBracketedAndMultiHostLines() {
        KnownHosts knownHosts = KnownHosts.parse(SOURCE, List.of(
                "# comment line",
                "",
                "   ",
                "stg-1.internal,10.0.0.5 " + entry(ED25519) + " ops@laptop",
                "[stg-2.internal]:2222,[10.0.0.6]:2222 " + entry(RSA),
                "STG-3.Internal\t" + entry(OTHER),
                "stg-1.internal " + entry(RSA)));

        assertThat(keys(knownHosts, "stg-1.internal", 22)).containsExactly(ED25519.getPublic(), RSA.getPublic());
        assertThat(keys(knownHosts, "10.0.0.5", 22)).containsExactly(ED25519.getPublic());
        assertThat(keys(knownHosts, "stg-2.internal", 2222)).containsExactly(RSA.getPublic());
        assertThat(keys(knownHosts, "10.0.0.6", 2222)).containsExactly(RSA.getPublic());
        assertThat(keys(knownHosts, "stg-3.internal", 22)).as("names are case-insensitive")
                .containsExactly(OTHER.getPublic());
        assertThat(knownHosts.keysFor("stg-1.internal", 22).get(1).keyType()).isEqualTo("ssh-rsa");
        assertThat(knownHosts.hasHashedEntries()).isFalse();
        assertThat(knownHosts.source()).isEqualTo(SOURCE);
    }

    @Test
    void portsAreNotInterchangeable() {
        KnownHosts knownHosts = KnownHosts.parse(SOURCE, List.of(
                "10.0.0.5 " + entry(ED25519),
                "[10.0.0.6]:2222 " + entry(RSA)));

        assertThat(knownHosts.keysFor("10.0.0.5", 2222)).isEmpty();
        assertThat(knownHosts.keysFor("10.0.0.6", 22)).isEmpty();
        assertThat(knownHosts.keysFor("10.0.0.6", 2223)).isEmpty();
        assertThat(keys(knownHosts, "10.0.0.5", 22)).containsExactly(ED25519.getPublic());
    }

    @Test
    void skipsHashedMarkedMalformedAndPatternEntries() {
        KnownHosts knownHosts = KnownHosts.parse(SOURCE, List.of(
                "|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= " + entry(ED25519),
                "@cert-authority *.internal " + entry(ED25519),
                "@revoked stg-1.internal " + entry(ED25519),
                "*.internal,stg-?.example,!bad.internal " + entry(ED25519),
                "stg-1.internal ssh-ed25519",
                "stg-1.internal ssh-ed25519 not-base64!",
                "stg-1.internal ssh-rsa " + entry(ED25519).split(" ")[1],
                "[stg-1.internal]:notaport,[stg-1.internal] " + entry(ED25519),
                "ok.internal " + entry(OTHER)));

        assertThat(knownHosts.hasHashedEntries()).isTrue();
        assertThat(knownHosts.keysFor("stg-1.internal", 22)).isEmpty();
        assertThat(knownHosts.keysFor("*.internal", 22)).isEmpty();
        assertThat(knownHosts.keysFor("bad.internal", 22)).isEmpty();
        assertThat(keys(knownHosts, "ok.internal", 22)).containsExactly(OTHER.getPublic());
    }

    @Test
    void missingFileIsAnError() {
        Path missing = tmp.resolve("known_hosts");
        assertThatThrownBy(() -> KnownHosts.load(missing))
                .isInstanceOf(SshException.class)
                .hasMessage("known_hosts file " + missing + " not readable: no such file");
    }

    @Test
    void loadsAFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("known_hosts"), "[127.0.0.1]:2200 " + entry(ED25519) + "\n");
        assertThat(keys(KnownHosts.load(file), "127.0.0.1", 2200)).containsExactly(ED25519.getPublic());
    }

    @Test
    void verifierAcceptsListedKeyAndExplainsRefusals() {
        SshTarget target = new SshTarget("stg-1.internal", 2222, "deploy", Path.of("id"), SOURCE);
        KnownHosts knownHosts = KnownHosts.parse(SOURCE, List.of(
                "[stg-1.internal]:2222 " + entry(ED25519),
                "[stg-1.internal]:2222 " + entry(RSA)));

        assertThat(HostKeyVerifier.refusal(knownHosts, target, ED25519.getPublic())).isEmpty();
        assertThat(HostKeyVerifier.refusal(knownHosts, target, RSA.getPublic())).isEmpty();
        assertThat(HostKeyVerifier.refusal(knownHosts, target, OTHER.getPublic())).contains(
                "host key for stg-1.internal:2222 CHANGED: presented ssh-ed25519 " + fingerprint(OTHER)
                        + ", /etc/greenlight/known_hosts has ssh-ed25519 " + fingerprint(ED25519)
                        + ", ssh-rsa " + fingerprint(RSA));

        KnownHosts hashedOnly = KnownHosts.parse(SOURCE, List.of("|1|abc=|def= " + entry(ED25519)));
        assertThat(HostKeyVerifier.refusal(hashedOnly, target, ED25519.getPublic())).contains(
                "host key for stg-1.internal:2222 is not in /etc/greenlight/known_hosts (server presented ssh-ed25519 "
                        + fingerprint(ED25519) + "; the file has hashed entries, which are not supported: "
                        + "list the host in plain form)");
    }

    private static List<PublicKey> keys(KnownHosts knownHosts, String host, int port) {
        return knownHosts.keysFor(host, port).stream().map(KnownHosts.HostKey::key).toList();
    }

    private static String entry(KeyPair key) {
        return PublicKeyEntry.toString(key.getPublic());
    }

    private static String fingerprint(KeyPair key) {
        return KeyUtils.getFingerPrint(key.getPublic());
    }
}
