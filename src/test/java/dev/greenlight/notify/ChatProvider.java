package dev.greenlight.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.greenlight.http.Json;
import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A chat provider's webhook endpoints on a real local HTTP server: every request is kept (method, content type, JSON
 * body, when it came, what it was answered); each path answers what the test scripted next, then 200 (or the
 * path's default).
 */
final class ChatProvider implements AutoCloseable {
    /** One request as the provider saw it. */
    record Request(String path, String method, String contentType, JsonNode body, Instant at, int answered) {
        String event() {
            return body.path("event").asText(null);
        }
    }

    /** One scripted answer: a status, its headers, and how long to take. */
    record Answer(int status, Map<String, String> headers, long delayMillis) {
        static Answer of(int status) {
            return new Answer(status, Map.of(), 0);
        }
    }

    final TestHttpServer server = new TestHttpServer();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Queue<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Answer> defaults = new ConcurrentHashMap<>();

    /** A webhook at {@code path}; returns its URL. */
    String hook(String path) {
        server.on(path, this::handle);
        return server.url() + path;
    }

    ChatProvider then(String path, Answer... answers) {
        scripts.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(answers));
        return this;
    }

    ChatProvider always(String path, Answer answer) {
        defaults.put(path, answer);
        return this;
    }

    List<Request> at(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The requests of {@code path} that were answered 2xx: what the channel shows. */
    List<Request> delivered(String path) {
        return at(path).stream().filter(r -> r.answered() / 100 == 2).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Instant at = Instant.now();
        JsonNode body = Json.MAPPER.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Queue<Answer> script = scripts.get(path);
        Answer next = script == null ? null : script.poll();
        Answer answer = next != null ? next : defaults.getOrDefault(path, Answer.of(200));
        requests.add(new Request(path, exchange.getRequestMethod(),
                exchange.getRequestHeaders().getFirst("Content-Type"), body, at, answer.status()));
        if (answer.delayMillis() > 0) TestHttpServer.sleep(answer.delayMillis());
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        TestHttpServer.respond(exchange, answer.status(), answer.status() == 204 ? "" : "ok");
    }

    @Override
    public void close() {
        server.close();
    }
}
