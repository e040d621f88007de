package dev.greenlight.health;

import dev.greenlight.config.SmokeCheck;
import dev.greenlight.http.CappedBody;
import dev.greenlight.http.Http;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs smoke checks once each. Like health checks, failures become results rather than exceptions and
 * redirects are not followed (a check may expect a 3xx).
 *
 * <p>Thread-safe; keep one instance so its HTTP client is reused.
 */
public final class SmokeTester {

    /** How much of an answer's body is searched for {@code bodyContains}. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SmokeTester.class);

    private final HttpClient client;

    public SmokeTester() {
        this(Http.newClient(HttpHealthChecker.DEFAULT_CONNECT_TIMEOUT));
    }

    /** The client must not follow redirects, or a check expecting a 3xx could never pass. */
    public SmokeTester(HttpClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    public SmokeResult run(String baseUrl, SmokeCheck check, Duration timeout) {
        return runAsync(baseUrl, check, timeout).join();
    }

    /** Never completes exceptionally. */
    public CompletableFuture<SmokeResult> runAsync(String baseUrl, SmokeCheck check, Duration timeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(check, "check");
        Http.requirePositive(timeout);
        URI uri;
        HttpRequest request;
        try {
            uri = Http.resolve(baseUrl, check.path());
            request = request(uri, check, timeout);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new SmokeResult(check.name(), baseUrl + check.path(), false,
                    0, 0, "invalid request: " + e.getMessage()));
        }
        long start = System.nanoTime();
        return Http.sendWithin(client, request, CappedBody.handler(MAX_BODY_BYTES), timeout)
                .handle((response, failure) -> {
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    SmokeResult result = failure == null
                            ? judge(check, uri, response.statusCode(), response.body(), millis)
                            : new SmokeResult(check.name(), uri.toString(), false, 0, millis,
                                    Http.describe(failure, uri, timeout, client));
                    LOG.debug("smoke {} -> {}", uri, result.summary());
                    return result;
                });
    }

    private static HttpRequest request(URI uri, SmokeCheck check, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("User-Agent", Http.USER_AGENT);
        if (check.body() == null) {
            return builder.method(check.method(), HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", "application/json")
                .method(check.method(), HttpRequest.BodyPublishers.ofString(check.body(), StandardCharsets.UTF_8))
                .build();
    }

    private static SmokeResult judge(SmokeCheck check, URI uri, int status, CappedBody.Text body, long millis) {
        String failure = null;
        if (status != check.status()) {
            failure = "expected status " + check.status() + ", got " + status;
        } else if (check.bodyContains() != null && !body.text().contains(check.bodyContains())) {
            failure = "body does not contain \"" + check.bodyContains() + "\""
                    + (body.truncated() ? " (first " + MAX_BODY_BYTES + " bytes searched)" : "");
        }
        return new SmokeResult(check.name(), uri.toString(), failure == null, status, millis,
                failure == null ? "ok" : failure);
    }
}
