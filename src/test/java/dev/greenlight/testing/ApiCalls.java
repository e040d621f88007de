package dev.greenlight.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls to the API of a service in another process ({@link ServiceInstance}), with a bearer token, as a client makes
 * them: an answer within 30 s, or the test fails there.
 */
public final class ApiCalls {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ApiCalls() {
    }

    public static HttpResponse<String> get(String token, URI uri) {
        return send(token, HttpRequest.newBuilder(uri).GET());
    }

    /** The JSON answer of a GET (whatever its status: the callers read the fields they expect). */
    public static JsonNode getJson(String token, URI uri) {
        return json(get(token, uri).body());
    }

    public static HttpResponse<String> postJson(String token, URI uri, String json) {
        return send(token, HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(String token, HttpRequest.Builder request) {
        try {
            return HTTP.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
