package dev.greenlight.http;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** HTTP plumbing shared by the checks: building the client, bounding a request in time, naming failures. */
public final class Http {

    public static final String USER_AGENT = "greenlight";

    private Http() {
    }

    /**
     * A client that never follows redirects (a redirect to a login page is not a healthy answer) and speaks
     * HTTP/1.1 (plain-http targets should not receive h2c upgrade attempts).
     */
    public static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }

    /**
     * Sends asynchronously and cancels the exchange once {@code timeout} has passed. The request timeout
     * only covers the wait for the response headers; without the deadline a body that trickles in slowly
     * would hold the check indefinitely.
     */
    public static <T> CompletableFuture<HttpResponse<T>> sendWithin(HttpClient client, HttpRequest request,
                                                             HttpResponse.BodyHandler<T> handler, Duration timeout) {
        CompletableFuture<HttpResponse<T>> sent = client.sendAsync(request, handler);
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> sent.cancel(true));
        return sent;
    }

    /** Joins a base URL and a path, tolerating a trailing or missing slash. */
    public static URI resolve(String baseUrl, String path) {
        String base = baseUrl.strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String suffix = path == null ? "" : path.strip();
        if (!suffix.isEmpty() && !suffix.startsWith("/")) {
            suffix = "/" + suffix;
        }
        URI uri = URI.create(base + suffix);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + base + suffix);
        }
        return uri;
    }

    public static void requirePositive(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** Words for a failed exchange, as they should appear in a step record. */
    public static String describe(Throwable failure, URI uri, Duration timeout, HttpClient client) {
        Throwable root = unwrap(failure);
        for (Throwable t = root; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host " + uri.getHost();
            }
        }
        if (root instanceof CancellationException) {
            return "timed out after " + human(timeout);
        }
        if (root instanceof HttpConnectTimeoutException) {
            Duration connect = client.connectTimeout().filter(c -> c.compareTo(timeout) < 0).orElse(timeout);
            return "connect timed out after " + human(connect);
        }
        if (root instanceof HttpTimeoutException) {
            return "timed out after " + human(timeout);
        }
        for (Throwable t = root; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                String message = t.getMessage();
                return message == null || message.toLowerCase(Locale.ROOT).contains("refused")
                        ? "connection refused" : "connection failed: " + message;
            }
            if (t instanceof SSLException) {
                return "TLS failure: " + t.getMessage();
            }
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** {@code 2s} for whole seconds, {@code 1500ms} otherwise. */
    public static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
