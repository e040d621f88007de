package dev.greenlight.registry;

import static dev.greenlight.testing.TestHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.greenlight.http.Http;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final String SCOPE = "repository:acme/app:pull";
    private static final RegistryCredentials LOGIN = new RegistryCredentials("deployer", "s3cret-pass");
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString("deployer:s3cret-pass".getBytes(StandardCharsets.UTF_8));

    private final TestHttpServer server = new TestHttpServer();
    private final MutableClock clock = new MutableClock();
    private final String image = server.hostPort() + "/acme/app";

    /** What the fake registry saw. */
    private final List<String> acceptHeaders = new CopyOnWriteArrayList<>();
    private final List<String> manifestAuth = new CopyOnWriteArrayList<>();
    private final List<String> tokenAuth = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anonymousTokenFlowFindsTheTagAndReusesTheToken() {
        bearerRegistry(Map.of("1.0", 200));
        tokenService(null, 200, "{\"token\":\"tok-1\",\"expires_in\":300}");
        RegistryClient client = client(Map.of());

        TagCheck first = client.tagExists(image, "1.0");
        TagCheck second = client.tagExists(image, "1.0");

        assertThat(first.exists()).isTrue();
        assertThat(first.detail()).isEqualTo(image + ":1.0 exists (sha256:abc123)");
        assertThat(second.exists()).isTrue();
        assertThat(tokenRequests).hasValue(1);
        assertThat(tokenAuth).containsExactly("none");
        // first HEAD unauthenticated, then with the token; the second check goes straight in with it
        assertThat(manifestAuth).containsExactly("none", "Bearer tok-1", "Bearer tok-1");
        assertThat(acceptHeaders).allSatisfy(accept -> assertThat(accept).contains(
                "application/vnd.oci.image.index.v1+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.docker.distribution.manifest.v2+json"));
    }

    @Test
    void missingTagIsAnAnswerNotAnError() {
        bearerRegistry(Map.of("1.0", 200));
        tokenService(null, 200, "{\"token\":\"tok-1\"}");

        TagCheck check = client(Map.of()).tagExists(image, "9.9");

        assertThat(check.exists()).isFalse();
        assertThat(check.detail()).isEqualTo(image + ":9.9 not found");
        assertThat(manifestAuth).containsExactly("none", "Bearer tok-1");
    }

    @Test
    void tokenServiceRefusingIsARegistryException() {
        bearerRegistry(Map.of("1.0", 200));
        tokenService(null, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");

        assertThatThrownBy(() -> client(Map.of()).tagExists(image, "1.0"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("token service 127.0.0.1")
                .hasMessageContaining("refused anonymous access to " + SCOPE + " (401)");
    }

    @Test
    void configuredCredentialsAreSentToTheTokenServiceAndNeverAppearInErrors() {
        bearerRegistry(Map.of("1.0", 200));
        tokenService(BASIC, 200, "{\"access_token\":\"tok-1\",\"expires_in\":60}");

        TagCheck check = client(Map.of(server.hostPort(), LOGIN)).tagExists(image, "1.0");

        assertThat(check.exists()).isTrue();
        assertThat(tokenAuth).containsExactly(BASIC);

        RegistryClient wrongLogin = client(Map.of(server.hostPort(), new RegistryCredentials("deployer", "wrong-pass")));
        assertThatThrownBy(() -> wrongLogin.tagExists(image, "1.0"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("refused credentialed access")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pass", "Basic "));
    }

    @Test
    void basicChallengeIsAnsweredWithTheConfiguredCredentials() {
        server.on("/v2/acme/app/manifests/1.0", exchange -> {
            String auth = authorization(exchange);
            manifestAuth.add(auth);
            if (auth.equals(BASIC)) {
                respond(exchange, 200, "");
            } else {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"Registry Realm\"");
                respond(exchange, 401, "");
            }
        });

        TagCheck check = client(Map.of(server.hostPort(), LOGIN)).tagExists(image, "1.0");

        assertThat(check.exists()).isTrue();
        assertThat(manifestAuth).containsExactly("none", BASIC);
    }

    @Test
    void basicChallengeWithoutCredentialsForThatRegistryIsARegistryException() {
        server.on("/v2/acme/app/manifests/1.0", exchange -> {
            manifestAuth.add(authorization(exchange));
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"Registry Realm\"");
            respond(exchange, 401, "");
        });
        // credentials for another registry must not be offered to this one
        RegistryClient client = client(Map.of("ghcr.io", LOGIN));

        assertThatThrownBy(() -> client.tagExists(image, "1.0"))
                .isInstanceOf(RegistryException.class)
                .hasMessage("registry " + server.hostPort()
                        + " requires credentials (Basic auth) and none are configured for it");
        assertThat(manifestAuth).containsExactly("none");
    }

    @Test
    void unreachableRegistryIsARegistryException() {
        String closed = "127.0.0.1:" + TestHttpServer.closedPort();

        assertThatThrownBy(() -> client(Map.of()).tagExists(closed + "/acme/app", "1.0"))
                .isInstanceOf(RegistryException.class)
                .hasMessage("registry " + closed + " unreachable: connection refused");
    }

    @Test
    void tokenIsFetchedAgainOnceItExpires() {
        bearerRegistry(Map.of("1.0", 200));
        tokenService(null, 200, "{\"token\":\"tok-1\"}"); // no expires_in: 60 s
        RegistryClient client = client(Map.of());

        client.tagExists(image, "1.0");
        clock.advance(Duration.ofSeconds(30));
        client.tagExists(image, "1.0");
        assertThat(tokenRequests).hasValue(1);

        clock.advance(Duration.ofSeconds(31));
        client.tagExists(image, "1.0");
        assertThat(tokenRequests).hasValue(2);
        assertThat(manifestAuth).containsExactly("none", "Bearer tok-1", "Bearer tok-1", "none", "Bearer tok-1");
    }

    @Test
    void cachedTokenRejectedByTheRegistryIsReplaced() {
        AtomicReference<String> valid = new AtomicReference<>();
        server.on("/v2/acme/app/manifests/1.0", exchange -> {
            String auth = authorization(exchange);
            manifestAuth.add(auth);
            if (auth.equals("Bearer " + valid.get())) {
                respond(exchange, 200, "");
            } else {
                challenge(exchange);
            }
        });
        server.on("/token", exchange -> {
            String token = "tok-" + tokenRequests.incrementAndGet();
            valid.set(token);
            respond(exchange, 200, "{\"token\":\"" + token + "\",\"expires_in\":3600}");
        });
        RegistryClient client = client(Map.of());

        client.tagExists(image, "1.0");
        valid.set("revoked"); // the registry stops accepting tok-1 long before it expires
        TagCheck check = client.tagExists(image, "1.0");

        assertThat(check.exists()).isTrue();
        assertThat(manifestAuth).containsExactly("none", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2");
    }

    @Test
    void tokenThatStillDoesNotOpenTheRepositoryIsARegistryException() {
        server.on("/v2/acme/app/manifests/1.0", this::challenge);
        tokenService(null, 200, "{\"token\":\"tok-1\"}");

        assertThatThrownBy(() -> client(Map.of()).tagExists(image, "1.0"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("refused access to acme/app with an anonymous token (401)");
    }

    @Test
    void credentialsAreNotSentOverPlainHttpToAnotherHost() {
        server.on("/v2/acme/app/manifests/1.0", exchange -> {
            exchange.getResponseHeaders().add("WWW-Authenticate",
                    "Bearer realm=\"http://auth.example.invalid/token\",service=\"x\",scope=\"" + SCOPE + "\"");
            respond(exchange, 401, "");
        });

        assertThatThrownBy(() -> client(Map.of(server.hostPort(), LOGIN)).tagExists(image, "1.0"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("refusing to send credentials")
                .hasMessageContaining("auth.example.invalid");
    }

    @Test
    void realRegistriesUseHttpsAndLoopbackUsesHttpUnlessOverridden() {
        RegistryClient client = new RegistryClient(null, Map.of("registry.lan:5000", "HTTP", "localhost:5001", "https"),
                TIMEOUT);

        assertThat(client.baseUrl("ghcr.io")).isEqualTo("https://ghcr.io");
        assertThat(client.baseUrl(ImageRef.parse("nginx").registry())).isEqualTo("https://registry-1.docker.io");
        assertThat(client.baseUrl("localhost:5000")).isEqualTo("http://localhost:5000");
        assertThat(client.baseUrl("127.0.0.1:5000")).isEqualTo("http://127.0.0.1:5000");
        assertThat(client.baseUrl("registry.lan:5000")).isEqualTo("http://registry.lan:5000");
        assertThat(client.baseUrl("localhost:5001")).isEqualTo("https://localhost:5001");
    }

    @Test
    void malformedTagIsRejectedBeforeAnyRequest() {
        assertThatThrownBy(() -> client(Map.of()).tagExists(image, "bad tag"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid tag");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void credentialsNeverPrintTheirPassword() {
        assertThat(LOGIN.toString()).contains("deployer").doesNotContain("s3cret-pass");
    }

    // --- the fake registry -------------------------------------------------------------------------------

    private RegistryClient client(Map<String, RegistryCredentials> credentials) {
        return new RegistryClient(credentials, Map.of(), TIMEOUT, Http.newClient(TIMEOUT), clock);
    }

    /** Manifests answer {@code statusByTag} (404 for other tags) to the current token, a Bearer challenge otherwise. */
    private void bearerRegistry(Map<String, Integer> statusByTag) {
        Map<String, Integer> statuses = new HashMap<>(statusByTag);
        for (String tag : List.of("1.0", "9.9")) {
            server.on("/v2/acme/app/manifests/" + tag, exchange -> {
                acceptHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept")));
                String auth = authorization(exchange);
                manifestAuth.add(auth);
                if (!exchange.getRequestMethod().equals("HEAD") || !auth.equals("Bearer tok-1")) {
                    challenge(exchange);
                    return;
                }
                int status = statuses.getOrDefault(tag, 404);
                if (status == 200) {
                    exchange.getResponseHeaders().add("Docker-Content-Digest", "sha256:abc123");
                }
                respond(exchange, status, "");
            });
        }
    }

    private void challenge(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("WWW-Authenticate",
                "Bearer realm=\"" + server.url() + "/token\",service=\"test-registry\",scope=\"" + SCOPE + "\"");
        respond(exchange, 401, "");
    }

    /**
     * The token service insists on the challenge's service and scope, and on {@code requiredAuth} (null: none),
     * then answers {@code status} with {@code body}.
     */
    private void tokenService(String requiredAuth, int status, String body) {
        server.on("/token", exchange -> {
            tokenRequests.incrementAndGet();
            String auth = authorization(exchange);
            tokenAuth.add(auth);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            boolean rightAuth = requiredAuth == null ? auth.equals("none") : auth.equals(requiredAuth);
            if (!"test-registry".equals(query.get("service")) || !SCOPE.equals(query.get("scope"))) {
                respond(exchange, 400, "{\"errors\":[{\"code\":\"BAD_REQUEST\"}]}");
            } else if (!rightAuth) {
                respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            } else {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                respond(exchange, status, body);
            }
        });
    }

    private static String authorization(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        return auth == null ? "none" : auth;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
