package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Greenlight's HTTP API as the command line calls it: every request with the token, redirects never followed (they
 * would carry the token elsewhere), and every answer that is not a 2xx turned into the failure that says what
 * happened.
 */
final class ApiClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String token;
    private final HttpClient http;

    ApiClient(URI base, String token) {
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** GET {@code path} (under /api/v1, with its query) accepting {@code mediaType}; the body of a 2xx answer. */
    String get(String path, String mediaType) {
        return send(request(path).header("Accept", mediaType).GET()).body();
    }

    JsonNode getJson(String path) {
        return parse(get(path, "application/json"));
    }

    /** POST {@code json} to {@code path}; the 2xx answer. */
    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Accept", "application/json").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new CliFailure(Exit.UNREACHABLE, "the service's answer is not JSON: is the URL Greenlight's?");
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + "/api/v1" + path)).timeout(ANSWER_TIMEOUT)
                .header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + "s");
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within " + ANSWER_TIMEOUT.toSeconds() + "s");
        } catch (ConnectException e) {
            throw unreachable("connection refused");
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable("interrupted");
        }
        int status = answer.statusCode();
        if (status >= 200 && status < 300) return answer;
        if (status >= 400 && status < 500) throw CliFailure.refused(status, errorMessage(answer.body()), answer.body());
        throw new CliFailure(Exit.UNREACHABLE, "Greenlight at " + base + " answered " + status + (status >= 500
                ? ": " + errorMessage(answer.body()) : " (not an answer of its API: is the URL right?)"));
    }

    private CliFailure unreachable(String why) {
        return new CliFailure(Exit.UNREACHABLE, "cannot reach Greenlight at " + base + ": " + why);
    }

    /** The API's {@code {"error": …}}; the body itself when it is not one (a proxy's page, say). */
    static String errorMessage(String body) {
        try {
            JsonNode error = Json.MAPPER.readTree(body).path("error");
            if (error.isTextual()) return error.asText();
        } catch (IOException ignored) {
            // not JSON: shown as it is
        }
        String text = body == null ? "" : body.strip();
        return text.isEmpty() ? "(no message)" : text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }
}
