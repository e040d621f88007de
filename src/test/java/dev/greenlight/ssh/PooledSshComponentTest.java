package dev.greenlight.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.component.ssh.SshConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** camel-ssh's {@code ssh:} URIs and headers, answered on pooled sessions against a real SSH server. */
class PooledSshComponentTest {

    @TempDir
    Path tmp;

    private EmbeddedSshServer server;
    private SshSessionPool pool;
    private SshTarget target;
    private CamelContext camel;
    private ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        server = EmbeddedSshServer.builder().workDir(tmp.resolve("host")).acceptAnyPassword().start();
        target = server.target(tmp.resolve("client"));
        pool = new SshSessionPool(Duration.ofSeconds(60));
        camel = new DefaultCamelContext();
        camel.addComponent("ssh", new PooledSshComponent(pool));
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() throws IOException {
        camel.stop();
        pool.close();
        server.close();
    }

    @Test
    void answersLikeCamelSshAndReusesOneSessionPerHost() {
        String uri = SshEndpointUri.of(target, Duration.ofSeconds(10));

        Exchange ok = send(uri, "echo hello");
        Exchange failed = send(uri, "echo out; echo oops >&2; exit 3");

        assertThat(ok.getException()).isNull();
        assertThat(ok.getMessage().getBody(String.class)).isEqualTo("hello\n");
        assertThat(ok.getMessage().getHeader(SshConstants.EXIT_VALUE)).isEqualTo(0);
        CommandResult result = SshHeaders.result(failed.getMessage());
        assertThat(failed.getException()).as("a non-zero exit is an answer, as in camel-ssh").isNull();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(result.succeeded()).isFalse();
        assertThat(server.commands()).containsExactly("echo hello", "echo out; echo oops >&2; exit 3");
        assertThat(server.sessionsOpened()).as("both commands on one SSH session").isEqualTo(1);
    }

    @Test
    void theUriCarriesTheTargetsOwnTimeouts() {
        SshTarget slowNetwork = new SshTarget(target.host(), target.port(), target.user(), target.keyFile(),
                target.knownHosts(), Duration.ofSeconds(3));

        PooledSshEndpoint endpoint = camel.getEndpoint(SshEndpointUri.of(slowNetwork, Duration.ofMinutes(2)),
                PooledSshEndpoint.class);

        assertThat(endpoint.target()).isEqualTo(slowNetwork);
        assertThat(endpoint.getTimeout()).isEqualTo(3000);
    }

    @Test
    void aTargetWithRelativePathsIsTheSameAsTheOneItsUriStandsFor() {
        Path cwd = Path.of("").toAbsolutePath();
        SshTarget relative = new SshTarget(target.host(), target.port(), target.user(),
                cwd.relativize(target.keyFile()), cwd.relativize(target.knownHosts()));

        PooledSshEndpoint endpoint = camel.getEndpoint(SshEndpointUri.of(relative, Duration.ofMinutes(1)),
                PooledSshEndpoint.class);

        // equal targets share a pooled session; the end of a deployment releases it by an equal target
        assertThat(endpoint.target()).isEqualTo(relative).isEqualTo(target);
    }

    @Test
    void camelSshsUserAndPasswordHeadersAreRefusedNotIgnored() {
        String uri = SshEndpointUri.of(target, Duration.ofSeconds(10));
        for (String header : new String[] {SshConstants.USERNAME_HEADER, SshConstants.PASSWORD_HEADER}) {
            Exchange refused = template.send(uri, exchange -> {
                exchange.getMessage().setHeader(header, "root");
                exchange.getMessage().setBody("touch pwned");
            });
            assertThat(refused.getException()).as(header).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("are not supported");
        }
        assertThat(server.commands()).isEmpty();
    }

    @Test
    void commandTimeoutFromTheUriStopsAHungCommand() {
        Exchange hung = send(SshEndpointUri.of(target, Duration.ofMillis(500)), "sleep 30");

        CommandResult result = SshHeaders.result(hung.getMessage());
        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(result.duration()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void unknownHostKeyFailsTheExchangeBeforeAnyCommand() throws IOException {
        Path strangers;
        try (EmbeddedSshServer other = EmbeddedSshServer.builder().workDir(tmp.resolve("other")).start()) {
            strangers = other.writeKnownHosts(tmp.resolve("other_known_hosts"));
        }
        SshTarget untrusted = new SshTarget(target.host(), target.port(), target.user(), target.keyFile(), strangers);

        Exchange refused = send(SshEndpointUri.of(untrusted, Duration.ofSeconds(10)), "touch pwned");

        assertThat(refused.getException()).isInstanceOf(SshException.class)
                .hasMessageContaining("host key");
        assertThat(server.commands()).isEmpty();
        assertThat(server.workDir().resolve("pwned")).doesNotExist();
    }

    @Test
    void optionsThatWeakenTheConnectionAreRefused() {
        String uri = SshEndpointUri.of(target, Duration.ofSeconds(10));

        assertRefused(uri.replace("failOnUnknownHost=true", "failOnUnknownHost=false"),
                "failOnUnknownHost=true is required");
        assertRefused(uri + "&password=secret", "passwords are not accepted");
        assertRefused("ssh://deploy:secret@" + target.hostPort() + uri.substring(uri.indexOf('?')),
                "passwords are not accepted");
        assertRefused(uri + "&channelType=shell", "only channelType=exec");
        assertRefused(uri + "&ciphers=aes128-cbc", "ciphers, macs, signatures and compressions are not supported");
        assertRefused(uri.replaceAll("certResource=RAW\\([^)]*\\)", "certResource=classpath:id_ed25519"),
                "certResource must be a file: path");
        assertRefused(uri.replaceAll("&knownHostsResource=RAW\\([^)]*\\)", ""), "knownHostsResource is required");
        assertRefused(uri.replace("commandTimeout=10000", "commandTimeout=0"), "commandTimeout must be a positive number of milliseconds");
        assertRefused(SshEndpointUri.of(target, Duration.ofSeconds(10), "shop/staging", 1)
                .replace("maxConcurrentStarts=1", "maxConcurrentStarts=0"), "maxConcurrentStarts must be a positive");
        assertThat(server.sessionsOpened()).isZero();
        assertThat(server.passwordAttempts()).isZero();
    }

    @Test
    void eachEnvironmentUsesItsOwnKeyAndKnownHosts() throws IOException {
        try (EmbeddedSshServer production = EmbeddedSshServer.builder().workDir(tmp.resolve("prod-host")).start()) {
            SshTarget prod = production.target(tmp.resolve("prod-client")); // another key, another known_hosts
            SshTarget stagingKeyOnProd = new SshTarget(prod.host(), prod.port(), prod.user(), target.keyFile(),
                    prod.knownHosts());

            Exchange onStaging = send(SshEndpointUri.of(target, Duration.ofSeconds(10)), "echo staging");
            Exchange onProduction = send(SshEndpointUri.of(prod, Duration.ofSeconds(10)), "echo production");
            Exchange crossed = send(SshEndpointUri.of(stagingKeyOnProd, Duration.ofSeconds(10)), "touch pwned");

            assertThat(onStaging.getMessage().getBody(String.class)).isEqualTo("staging\n");
            assertThat(onProduction.getMessage().getBody(String.class)).isEqualTo("production\n");
            assertThat(crossed.getException()).isInstanceOf(SshException.class)
                    .hasMessageContaining("authentication refused");
            assertThat(production.commands()).containsExactly("echo production");
            assertThat(production.workDir().resolve("pwned")).doesNotExist();
        }
    }

    @Test
    void theTargetsKeyExchangeChoiceIsWhatTheConnectionNegotiates() throws IOException {
        try (EmbeddedSshServer classic = EmbeddedSshServer.builder().workDir(tmp.resolve("classic"))
                .keyExchanges("curve25519-sha256", "sntrup761x25519-sha512").start()) {
            SshTarget base = classic.target(tmp.resolve("classic-client"));
            SshTarget preferClassic = withKex(base, List.of("curve25519-sha256", "sntrup761x25519-sha512"));
            SshTarget onlyMlKem = withKex(base, List.of("mlkem768x25519-sha256"));

            Exchange byDefault = send(SshEndpointUri.of(base, Duration.ofSeconds(10)), "echo default");
            pool.release(base);
            Exchange chosen = send(SshEndpointUri.of(preferClassic, Duration.ofSeconds(10)), "echo classic");
            Exchange impossible = send(SshEndpointUri.of(onlyMlKem, Duration.ofSeconds(10)), "touch pwned");

            assertThat(byDefault.getException()).isNull();
            assertThat(chosen.getException()).isNull();
            assertThat(camel.getEndpoint(SshEndpointUri.of(preferClassic, Duration.ofSeconds(10)),
                    PooledSshEndpoint.class).target()).isEqualTo(preferClassic);
            // the client's default puts the post-quantum hybrid first; the target's list is its own order
            assertThat(classic.negotiatedKeyExchanges()).containsExactly("sntrup761x25519-sha512", "curve25519-sha256");
            assertThat(impossible.getException()).isInstanceOf(SshException.class)
                    .hasMessageStartingWith("cannot connect to deploy@" + base.hostPort());
            assertThat(classic.workDir().resolve("pwned")).doesNotExist();
        }
    }

    @Test
    void anUnknownKeyExchangeIsRefusedWhenTheEndpointIsCreated() {
        String uri = SshEndpointUri.of(target, Duration.ofSeconds(10)) + "&kex=diffie-hellman-group1-sha1";

        assertRefused(uri, "\"diffie-hellman-group1-sha1\" is not a supported key exchange");
    }

    private static SshTarget withKex(SshTarget t, List<String> kex) {
        return new SshTarget(t.host(), t.port(), t.user(), t.keyFile(), t.knownHosts(), t.connectTimeout(), kex);
    }

    @Test
    void pathsWithUriCharactersSurviveTheRoundTrip() throws IOException {
        Path odd = tmp.resolve("keys (staging) & more");
        SshTarget moved = server.target(odd);

        Exchange ok = send(SshEndpointUri.of(moved, Duration.ofSeconds(10)), "echo fine");

        assertThat(ok.getException()).isNull();
        assertThat(ok.getMessage().getBody(String.class)).isEqualTo("fine\n");
    }

    private Exchange send(String uri, String command) {
        return template.send(uri, exchange -> exchange.getMessage().setBody(command));
    }

    private void assertRefused(String uri, String reason) {
        assertThatThrownBy(() -> send(uri, "touch pwned"))
                .as(uri)
                .isInstanceOf(ResolveEndpointFailedException.class)
                .rootCause().hasMessageContaining(reason);
        assertThat(server.workDir().resolve("pwned")).doesNotExist();
    }
}
