package dev.greenlight.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A GitHub webhook delivery as GitHub sends it: HTTP/1.1, {@code application/json} (or, after {@link #asForm()},
 * GitHub's default {@code application/x-www-form-urlencoded}), the event and delivery headers, and
 * {@code X-Hub-Signature-256} over the exact body bytes. Bodies start from the published example payloads under
 * {@code src/test/resources/github/}, rewritten with Jackson to point at the configured repository and branch.
 */
public final class GithubDelivery {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String event;
    private byte[] body;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String id = UUID.randomUUID().toString();
    private String secret = TestConfig.WEBHOOK_SECRET;
    private String contentType = "application/json";
    private boolean signed = true;

    private GithubDelivery(String event, byte[] body) {
        this.event = event;
        this.body = body;
    }

    public static GithubDelivery of(String event, JsonNode payload) {
        return new GithubDelivery(event, bytes(payload));
    }

    public static GithubDelivery of(String event, byte[] body) {
        return new GithubDelivery(event, body);
    }

    /** The published example payload {@code name}, as a tree to rewrite. */
    public static ObjectNode fixture(String name) {
        try (InputStream in = GithubDelivery.class.getResourceAsStream("/github/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture " + name);
            return (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code push.branch-created.json} pushed to {@code branch} of {@code repository}. */
    public static ObjectNode push(String repository, String branch) {
        ObjectNode push = fixture("push.branch-created.json");
        ((ObjectNode) push.get("repository")).put("full_name", repository);
        push.put("ref", "refs/heads/" + branch);
        return push;
    }

    /** {@code release.published.json} for {@code repository}, tagged {@code tag}. */
    public static ObjectNode release(String repository, String tag) {
        ObjectNode release = fixture("release.published.json");
        ((ObjectNode) release.get("repository")).put("full_name", repository);
        ((ObjectNode) release.get("release")).put("tag_name", tag);
        return release;
    }

    public static byte[] bytes(JsonNode payload) {
        try {
            return MAPPER.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same delivery as GitHub sends it with content type {@code application/x-www-form-urlencoded}: the body
     * becomes {@code payload=} and the URL-encoded JSON, and the signature covers those bytes.
     */
    public GithubDelivery asForm() {
        body = form(body);
        contentType = "application/x-www-form-urlencoded";
        return this;
    }

    /** {@code payload=} and the URL-encoded {@code json}, as GitHub's form deliveries carry it. */
    public static byte[] form(byte[] json) {
        return ("payload=" + URLEncoder.encode(new String(json, StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
    }

    public byte[] body() {
        return body.clone();
    }

    public GithubDelivery id(String id) {
        this.id = id;
        return this;
    }

    public String id() {
        return id;
    }

    public GithubDelivery secret(String secret) {
        this.secret = secret;
        return this;
    }

    public GithubDelivery unsigned() {
        this.signed = false;
        return this;
    }

    public GithubDelivery contentType(String contentType) {
        this.contentType = contentType;
        return this;
    }

    /** An extra header, or one of the standard ones under another name or case. */
    public GithubDelivery header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public String signature() {
        return sign(secret.getBytes(StandardCharsets.UTF_8), body);
    }

    /**
     * The {@code X-Hub-Signature-256} value GitHub sends for {@code body} (a null body signs as an empty one),
     * computed here on its own rather than by the code under test.
     */
    public static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body == null ? new byte[0] : body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> send(TestGreenlight app) {
        return send(app.uri("/webhooks/github"));
    }

    public HttpResponse<String> send(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        Map<String, String> all = new LinkedHashMap<>();
        if (contentType != null) all.put("Content-Type", contentType);
        if (event != null) all.put("X-GitHub-Event", event);
        if (id != null) all.put("X-GitHub-Delivery", id);
        if (signed) all.put("X-Hub-Signature-256", signature());
        all.put("User-Agent", "GitHub-Hookshot/test");
        headers.forEach((name, value) -> {
            all.keySet().removeIf(k -> k.equalsIgnoreCase(name));
            if (value != null) all.put(name, value);
        });
        all.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
