package dev.greenlight.health;

import dev.greenlight.http.Http;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a host's HTTP health paths once: every path is requested in parallel, each bounded by the timeout.
 * Failures (refused, timed out, unknown host) become results, never exceptions. Retrying is the caller's
 * business (route redelivery), so nothing here loops or sleeps.
 *
 * <p>Thread-safe; keep one instance so its HTTP client and connection pool are reused.
 */
public final class HttpHealthChecker {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(HttpHealthChecker.class);

    private final HttpClient client;

    public HttpHealthChecker() {
        this(Http.newClient(DEFAULT_CONNECT_TIMEOUT));
    }

    /** The client must not follow redirects: a health path that redirects is not healthy. */
    public HttpHealthChecker(HttpClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Blocks at most about {@code timeout}, since all paths run concurrently. */
    public HealthReport check(String baseUrl, List<String> paths, Duration timeout) {
        return checkAsync(baseUrl, paths, timeout).join();
    }

    /** Never completes exceptionally, so a caller can combine the futures of a whole batch of hosts. */
    public CompletableFuture<HealthReport> checkAsync(String baseUrl, List<String> paths, Duration timeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(paths, "paths");
        Http.requirePositive(timeout);
        List<CompletableFuture<PathResult>> pending = paths.stream()
                .map(path -> checkPath(baseUrl, path, timeout))
                .toList();
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(done -> new HealthReport(pending.stream().map(CompletableFuture::join).toList()));
    }

    private CompletableFuture<PathResult> checkPath(String baseUrl, String path, Duration timeout) {
        URI uri;
        HttpRequest request;
        try {
            uri = Http.resolve(baseUrl, path);
            request = HttpRequest.newBuilder(uri)
                    .GET()
                    .timeout(timeout)
                    .header("User-Agent", Http.USER_AGENT)
                    .build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(
                    new PathResult(baseUrl + path, 0, 0, "invalid URL: " + e.getMessage()));
        }
        long start = System.nanoTime();
        // the body is drained for connection reuse but not kept: only the status matters here
        return Http.sendWithin(client, request, HttpResponse.BodyHandlers.discarding(), timeout)
                .handle((response, failure) -> {
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    PathResult result = failure == null
                            ? new PathResult(uri.toString(), response.statusCode(), millis, null)
                            : new PathResult(uri.toString(), 0, millis,
                                    Http.describe(failure, uri, timeout, client));
                    LOG.debug("health {} -> {}", uri, result.describe());
                    return result;
                });
    }
}
