package dev.greenlight.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.http.CappedBody;
import dev.greenlight.http.Http;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a container registry (Docker Registry HTTP API v2) whether a tag exists, with a manifest HEAD.
 *
 * <p>Authentication follows the registry's challenge: a Bearer challenge is answered with a token from the
 * realm it names (anonymous, as ghcr.io serves public images, or with HTTP Basic when credentials are
 * configured for that registry); a Basic challenge is answered with the credentials. Tokens are cached per
 * registry and scope until they expire, and fetched again if the registry rejects one earlier.
 *
 * <p>Registries are reached over https, except loopback hosts ({@code localhost}, {@code 127.0.0.1},
 * {@code [::1]}), which use plain http as docker does for local insecure registries; the scheme map
 * overrides either. Credentials are only sent over https or to loopback/explicitly plain-http hosts, and
 * only to the registry they are configured for (and the token service it names).
 *
 * <p>Thread-safe; keep one instance so the HTTP client and the token cache are shared.
 */
public final class RegistryClient {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Everything a tag may resolve to: multi-arch indexes as well as single manifests. */
    static final List<String> MANIFEST_TYPES = List.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private static final long DEFAULT_TOKEN_SECONDS = 60;
    private static final int MAX_TOKEN_BODY = 64 * 1024;
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);

    private final HttpClient client;
    private final Map<String, RegistryCredentials> credentials;
    private final Map<String, String> schemes;
    private final Duration timeout;
    private final Clock clock;
    private final Map<TokenKey, Token> tokens = new ConcurrentHashMap<>();

    private record TokenKey(String registry, String scope) {
    }

    private record Token(String value, Instant expiresAt) {
    }

    /** Anonymous access only, default timeout. */
    public RegistryClient() {
        this(Map.of(), Map.of(), DEFAULT_TIMEOUT);
    }

    /**
     * @param credentials by registry host as written in image references ({@code ghcr.io},
     *                    {@code localhost:5000}, {@code docker.io}); null or empty for anonymous access
     * @param schemes     {@code http} or {@code https} by registry host, overriding the default; may be null
     * @param timeout     bound of each request (the HEAD, the token request, the retried HEAD)
     */
    public RegistryClient(Map<String, RegistryCredentials> credentials, Map<String, String> schemes,
                          Duration timeout) {
        this(credentials, schemes, timeout, Http.newClient(timeout), Clock.systemUTC());
    }

    RegistryClient(Map<String, RegistryCredentials> credentials, Map<String, String> schemes, Duration timeout,
                   HttpClient client, Clock clock) {
        Http.requirePositive(timeout);
        this.credentials = normaliseKeys(credentials, UnaryOperator.identity());
        this.schemes = normaliseKeys(schemes, scheme -> scheme.strip().toLowerCase(Locale.ROOT));
        this.schemes.forEach((registry, scheme) -> {
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("scheme for " + registry + " must be http or https: " + scheme);
            }
        });
        this.timeout = timeout;
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param image an image reference without tag, e.g. {@code ghcr.io/acme/flowstate}
     * @param tag   the tag to look for
     * @return exists=false when the registry answers that the tag is not there
     * @throws RegistryException        when the registry cannot be asked (unreachable, access refused,
     *                                  rate limited, unexpected answer)
     * @throws IllegalArgumentException when the image reference or the tag is malformed
     */
    public TagCheck tagExists(String image, String tag) throws RegistryException {
        ImageRef ref = ImageRef.parse(image);
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag '" + tag + "' for " + ref.display());
        }
        URI manifest = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + tag);
        String scope = "repository:" + ref.repository() + ":pull";

        Token cached = tokens.get(new TokenKey(ref.registry(), scope));
        boolean usedCached = cached != null && clock.instant().isBefore(cached.expiresAt());
        HttpResponse<Void> response = head(manifest, usedCached ? "Bearer " + cached.value() : null, ref);
        String authUsed = null;
        if (response.statusCode() == 401) {
            // no credentials yet, or a cached token the registry no longer accepts: answer the fresh challenge
            Authorization authorization = answer(ref, manifest, scope, response);
            authUsed = authorization.description();
            response = head(manifest, authorization.header(), ref);
        }
        return interpret(ref, tag, response, authUsed);
    }

    private record Authorization(String header, String description) {
    }

    private Authorization answer(ImageRef ref, URI manifest, String scope, HttpResponse<?> unauthorized) {
        List<AuthChallenge> challenges =
                AuthChallenge.parse(unauthorized.headers().allValues("WWW-Authenticate"));
        RegistryCredentials login = credentials.get(ref.registry());
        Optional<AuthChallenge> bearer = challenges.stream().filter(c -> c.is("Bearer")).findFirst();
        if (bearer.isPresent()) {
            String token = fetchToken(ref, bearer.get(), scope, login);
            return new Authorization("Bearer " + token,
                    login == null ? "an anonymous token" : "a token for the configured credentials");
        }
        if (challenges.stream().anyMatch(c -> c.is("Basic"))) {
            if (login == null) {
                throw new RegistryException("registry " + ref.registry()
                        + " requires credentials (Basic auth) and none are configured for it");
            }
            requireSafeForCredentials(manifest, ref);
            return new Authorization(login.basicAuthorization(), "the configured credentials");
        }
        throw new RegistryException("registry " + ref.registry()
                + " answered 401 without a Bearer or Basic challenge");
    }

    private String fetchToken(ImageRef ref, AuthChallenge challenge, String defaultScope,
                              RegistryCredentials login) {
        String realm = challenge.param("realm");
        if (realm == null || realm.isBlank()) {
            throw new RegistryException("registry " + ref.registry() + " sent a Bearer challenge without realm");
        }
        String scope = Optional.ofNullable(challenge.param("scope")).filter(s -> !s.isBlank()).orElse(defaultScope);
        URI tokenUri = tokenUri(ref, realm, challenge.param("service"), scope);
        String service = "token service " + tokenUri.getHost() + " of registry " + ref.registry();

        HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri)
                .GET()
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", Http.USER_AGENT);
        if (login != null) {
            requireSafeForCredentials(tokenUri, ref);
            request.header("Authorization", login.basicAuthorization());
        }
        HttpResponse<CappedBody.Text> response = send(request.build(), CappedBody.handler(MAX_TOKEN_BODY), service);
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new RegistryException(service + " refused " + (login == null ? "anonymous" : "credentialed")
                    + " access to " + scope + " (" + status + ")"
                    + (login == null ? "; the image may be private: configure credentials for " + ref.registry()
                    : "; check the configured credentials"));
        }

        JsonNode answer;
        try {
            answer = JSON.readTree(response.body().text());
        } catch (JsonProcessingException e) {
            // no cause: the parser's message may quote the body, which holds the token
            throw new RegistryException(service + " answered with invalid JSON");
        }
        String token = text(answer, "token");
        if (token == null) {
            token = text(answer, "access_token");
        }
        if (token == null) {
            throw new RegistryException(service + " answered without a token");
        }
        long seconds = answer != null && answer.path("expires_in").asLong(0) > 0
                ? answer.path("expires_in").asLong() : DEFAULT_TOKEN_SECONDS;
        // expiry is honoured as given: a token rejected early is simply fetched again
        tokens.put(new TokenKey(ref.registry(), scope), new Token(token, clock.instant().plusSeconds(seconds)));
        LOG.debug("fetched token for {} {} valid {}s", ref.registry(), scope, seconds);
        return token;
    }

    private URI tokenUri(ImageRef ref, String realm, String service, String scope) {
        StringBuilder query = new StringBuilder();
        if (service != null && !service.isBlank()) {
            query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
        }
        query.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        try {
            URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
            String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new RegistryException("registry " + ref.registry() + " named an invalid token realm: " + realm);
        }
    }

    private HttpResponse<Void> head(URI manifest, String authorization, ImageRef ref) {
        HttpRequest.Builder request = HttpRequest.newBuilder(manifest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(timeout)
                .header("Accept", String.join(", ", MANIFEST_TYPES))
                .header("User-Agent", Http.USER_AGENT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<Void> response =
                send(request.build(), HttpResponse.BodyHandlers.discarding(), "registry " + ref.registry());
        LOG.debug("HEAD {} -> {}", manifest, response.statusCode());
        return response;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String who) {
        try {
            return Http.sendWithin(client, request, handler, timeout).join();
        } catch (CompletionException | CancellationException e) {
            throw new RegistryException(who + " unreachable: "
                    + Http.describe(e, request.uri(), timeout, client), e.getCause() == null ? e : e.getCause());
        }
    }

    private static TagCheck interpret(ImageRef ref, String tag, HttpResponse<?> response, String authUsed) {
        String image = ref.display() + ":" + tag;
        int status = response.statusCode();
        if (status == 200) {
            String digest = response.headers().firstValue("Docker-Content-Digest").map(d -> " (" + d + ")").orElse("");
            return new TagCheck(true, image + " exists" + digest);
        }
        if (status == 404) {
            return new TagCheck(false, image + " not found");
        }
        if (status == 401) {
            throw new RegistryException("registry " + ref.registry() + " refused access to " + ref.repository()
                    + " with " + (authUsed == null ? "no credentials" : authUsed)
                    + " (401): the repository may not exist or be private");
        }
        if (status == 403) {
            throw new RegistryException("registry " + ref.registry() + " denied access to " + ref.repository()
                    + " (403)");
        }
        if (status == 429) {
            throw new RegistryException("registry " + ref.registry() + " is rate limiting requests (429)");
        }
        throw new RegistryException("registry " + ref.registry() + " answered " + status + " for " + image);
    }

    /** Base URL of a registry's API, e.g. {@code https://ghcr.io} or {@code http://localhost:5000}. */
    String baseUrl(String registry) {
        String scheme = schemes.getOrDefault(registry, isLoopback(hostOf(registry)) ? "http" : "https");
        return scheme + "://" + registry;
    }

    /** Credentials travel over https only, unless the host is loopback or was declared plain http. */
    private void requireSafeForCredentials(URI target, ImageRef ref) {
        String scheme = String.valueOf(target.getScheme()).toLowerCase(Locale.ROOT);
        String authority = String.valueOf(target.getRawAuthority()).toLowerCase(Locale.ROOT);
        if (scheme.equals("https") || isLoopback(target.getHost()) || "http".equals(schemes.get(authority))) {
            return;
        }
        throw new RegistryException("refusing to send credentials for " + ref.registry()
                + " over plain http to " + target.getHost());
    }

    private static String hostOf(String registry) {
        if (registry.startsWith("[")) {
            int end = registry.indexOf(']');
            return end < 0 ? registry : registry.substring(0, end + 1);
        }
        int colon = registry.indexOf(':');
        return colon < 0 ? registry : registry.substring(0, colon);
    }

    private static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || h.startsWith("127.");
    }

    private static String text(JsonNode node, String field) {
        if (node == null || !node.hasNonNull(field)) {
            return null;
        }
        String value = node.get(field).asText();
        return value.isBlank() ? null : value;
    }

    private static <V> Map<String, V> normaliseKeys(Map<String, V> byRegistry, UnaryOperator<V> value) {
        Map<String, V> normalised = new HashMap<>();
        if (byRegistry != null) {
            byRegistry.forEach((registry, v) -> {
                if (v != null) {
                    normalised.put(ImageRef.normaliseRegistry(registry), value.apply(v));
                }
            });
        }
        return Map.copyOf(normalised);
    }
}
