package dev.greenlight.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
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

    @Test
    void aRevokedKeyIsRefusedEvenWhereAPlainLineListsItForThatHost() {
        SshTarget target = new SshTarget("stg-1.internal", 22, "deploy", Path.of("id"), SOURCE);
        KnownHosts knownHosts = KnownHosts.parse(SOURCE, List.of(
                "stg-1.internal " + entry(ED25519),
                "stg-1.internal " + entry(RSA),
                "# the old key leaked",
                "@revoked * " + entry(ED25519) + " leaked 2026-11"));

        assertThat(HostKeyVerifier.refusal(knownHosts, target, ED25519.getPublic())).contains(
                "host key for stg-1.internal:22 is REVOKED: server presented ssh-ed25519 " + fingerprint(ED25519)
                        + ", which /etc/greenlight/known_hosts line 4 marks @revoked");
        assertThat(HostKeyVerifier.refusal(knownHosts, target, RSA.getPublic())).isEmpty();
        // whatever hosts the @revoked line names: the key is refused for every host
        KnownHosts namedElsewhere = KnownHosts.parse(SOURCE, List.of(
                "stg-1.internal " + entry(ED25519), "@revoked other.internal " + entry(ED25519)));
        assertThat(HostKeyVerifier.refusal(namedElsewhere, target, ED25519.getPublic()))
                .hasValueSatisfying(m -> assertThat(m).contains("is REVOKED", "line 2 marks @revoked"));
    }

    @Test
    void aHostListedOnlyByACertificateAuthorityIsRefusedSayingCertificatesAreNotSupported() {
        KnownHosts knownHosts = KnownHosts.parse(SOURCE, List.of(
                "@cert-authority *.internal,!bad.internal,[*.internal]:2222 " + entry(ED25519),
                "ok.internal " + entry(OTHER)));
        String unsupported = "; only @cert-authority lines match it, and host certificates are not supported: list "
                + "the host's key in plain form)";

        for (SshTarget target : List.of(new SshTarget("stg-1.internal", 22, "deploy", Path.of("id"), SOURCE),
                new SshTarget("STG-2.internal", 2222, "deploy", Path.of("id"), SOURCE))) {
            assertThat(HostKeyVerifier.refusal(knownHosts, target, ED25519.getPublic())).as(target.hostPort()).contains(
                    "host key for " + target.hostPort() + " is not in /etc/greenlight/known_hosts (server presented "
                            + "ssh-ed25519 " + fingerprint(ED25519) + unsupported);
        }
        // a line with the marker never matches, and hosts its patterns leave out get the plain message
        assertThat(knownHosts.keysFor("stg-1.internal", 22)).isEmpty();
        assertThat(knownHosts.hasCertificateAuthorityFor("bad.internal", 22)).isFalse();
        assertThat(knownHosts.hasCertificateAuthorityFor("stg-1.internal", 2200)).isFalse();
        assertThat(knownHosts.hasCertificateAuthorityFor("internal", 22)).isFalse();
        assertThat(HostKeyVerifier.refusal(knownHosts,
                new SshTarget("bad.internal", 22, "deploy", Path.of("id"), SOURCE), ED25519.getPublic()))
                .hasValueSatisfying(m -> assertThat(m).doesNotContain("cert-authority"));
        assertThat(HostKeyVerifier.refusal(knownHosts,
                new SshTarget("ok.internal", 22, "deploy", Path.of("id"), SOURCE), OTHER.getPublic())).isEmpty();
    }

    @Test
    void aRevokedHostKeyStopsTheConnectionToARealServerBeforeAnyCommandRuns() throws Exception {
        try (EmbeddedSshServer server = EmbeddedSshServer.builder().workDir(tmp.resolve("host")).start()) {
            SshTarget trusted = server.target(tmp.resolve("client"));
            PublicKey hostKey = server.hostKeys().get(0);
            Path knownHosts = Files.writeString(tmp.resolve("revoked_known_hosts"),
                    Files.readString(trusted.knownHosts()) + "@revoked * " + PublicKeyEntry.toString(hostKey) + "\n");
            int line = Files.readAllLines(knownHosts).size();
            SshTarget target = new SshTarget(trusted.host(), trusted.port(), trusted.user(), trusted.keyFile(),
                    knownHosts);
            try (SshSessionPool pool = new SshSessionPool(Duration.ofSeconds(60))) {
                assertThat(pool.exec(trusted, "echo listed", Duration.ofSeconds(10)).stdout())
                        .as("the same key without the @revoked line").isEqualTo("listed\n");
            }
            try (SshSessionPool pool = new SshSessionPool(Duration.ofSeconds(60))) {
                assertThatThrownBy(() -> pool.exec(target, "touch marker", Duration.ofSeconds(10)))
                        .isInstanceOf(SshException.class)
                        .hasMessage("host key for " + target.hostPort() + " is REVOKED: server presented ssh-ed25519 "
                                + KeyUtils.getFingerPrint(hostKey) + ", which " + knownHosts + " line " + line
                                + " marks @revoked");
            }
            assertThat(server.workDir().resolve("marker")).doesNotExist();
        }
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
