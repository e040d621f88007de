package dev.greenlight.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Http;
import dev.greenlight.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * Reads an app's error counter: a GET of a path answering JSON with a numeric field (a dotted name reaches into
 * objects: {@code http.errors}). Anything else (no answer, not 2xx, not JSON, no such number) is a reading that failed,
 * with the reason; nothing is thrown.
 */
public final class ErrorCountReader {
    /** An error counter is a short document; a longer answer is not one. */
    private static final int MAX_BODY = 64 * 1024;

    private final HttpClient client;

    public ErrorCountReader() {
        this(Http.newClient(HttpHealthChecker.DEFAULT_CONNECT_TIMEOUT));
    }

    public ErrorCountReader(HttpClient client) {
        this.client = client;
    }

    public ErrorCount read(String baseUrl, String path, String field, Duration timeout) {
        URI uri;
        try {
            uri = Http.resolve(baseUrl, path);
        } catch (IllegalArgumentException e) {
            return new ErrorCount(baseUrl + path, null, 0, "invalid URL: " + e.getMessage());
        }
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(timeout).header("User-Agent", Http.USER_AGENT)
                .header("Accept", "application/json").build();
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response = Http.sendWithin(client, request, HttpResponse.BodyHandlers.ofByteArray(),
                    timeout).join();
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (response.statusCode() / 100 != 2) {
                return new ErrorCount(uri.toString(), null, millis, "answered " + response.statusCode());
            }
            return parse(uri.toString(), response.body(), field, millis);
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new ErrorCount(uri.toString(), null, millis, Http.describe(e, uri, timeout, client));
        }
    }

    static ErrorCount parse(String url, byte[] body, String field, long millis) {
        if (body.length > MAX_BODY) return new ErrorCount(url, null, millis, "answer longer than " + MAX_BODY + " bytes");
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            for (String part : field.split("\\.")) node = node == null ? null : node.get(part);
            if (node == null || !node.isNumber() || node.asLong() < 0) {
                return new ErrorCount(url, null, millis, "no non-negative number \"" + field + "\" in the answer");
            }
            return new ErrorCount(url, node.asLong(), millis, null);
        } catch (IOException e) {
            return new ErrorCount(url, null, millis, "the answer is not JSON");
        }
    }
}
