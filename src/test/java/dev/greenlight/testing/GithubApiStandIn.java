package dev.greenlight.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.greenlight.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A stand-in for GitHub's REST API on a random loopback port, for one repository: it answers deployment creations
 * (with ids from {@code firstId} up), deployment statuses and commit statuses as GitHub does (201), refuses what a
 * real GitHub would refuse here (a request without the token, another path: 401, 404), records every request, and
 * can be told to fail the next deployment statuses with a given HTTP status, or to answer them late.
 */
public final class GithubApiStandIn implements AutoCloseable {
    /** One request as received: its body parsed (a missing node when it has none). */
    public record Received(String method, String path, String authorization, String accept, String apiVersion,
                           JsonNode body, int answered) {
        public String state() {
            return body.path("state").asText();
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final String token;
    private final String repository;
    private final Pattern statuses;
    private final AtomicLong nextId;
    private final AtomicInteger statusFailures = new AtomicInteger();
    private volatile int failWith;
    private final AtomicInteger slowStatuses = new AtomicInteger();
    private volatile long slowMillis;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public GithubApiStandIn(String repository, String token, long firstId) {
        this.repository = repository;
        this.token = token;
        this.nextId = new AtomicLong(firstId);
        this.statuses = Pattern.compile(Pattern.quote("/repos/" + repository + "/deployments/") + "\\d+/statuses");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The next {@code count} deployment statuses are answered {@code status} (e.g. 503, 422). */
    public void failStatuses(int count, int status) {
        failWith = status;
        statusFailures.set(count);
    }

    /** The next {@code count} deployment statuses are answered (201) only after {@code millis}. */
    public void delayStatuses(int count, long millis) {
        slowMillis = millis;
        slowStatuses.set(count);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request, in arrival order, the refused ones included. */
    public List<Received> received() {
        return received;
    }

    /** The deployment statuses GitHub took (answered 201), in order. */
    public List<Received> statusesTaken(long githubId) {
        return received.stream().filter(r -> r.path().equals(statusesPath(githubId)) && r.answered() == 201)
                .toList();
    }

    public String statusesPath(long githubId) {
        return "/repos/" + repository + "/deployments/" + githubId + "/statuses";
    }

    public String deploymentsPath() {
        return "/repos/" + repository + "/deployments";
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] bytes = exchange.getRequestBody().readAllBytes();
        JsonNode body = bytes.length == 0 ? Json.MAPPER.missingNode() : Json.MAPPER.readTree(bytes);
        var headers = exchange.getRequestHeaders();
        boolean post = exchange.getRequestMethod().equals("POST");
        int status;
        String answer;
        if (!("Bearer " + token).equals(headers.getFirst("Authorization"))) {
            status = 401;
            answer = "{\"message\":\"Bad credentials\"}";
        } else if (post && path.equals(deploymentsPath())) {
            status = 201;
            answer = "{\"id\":" + nextId.getAndIncrement() + ",\"environment\":" + body.path("environment") + "}";
        } else if (post && statuses.matcher(path).matches()) {
            if (slowStatuses.getAndUpdate(n -> Math.max(0, n - 1)) > 0) TestHttpServer.sleep(slowMillis);
            boolean fail = statusFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            status = fail ? failWith : 201;
            answer = fail ? "{\"message\":\"scripted failure\"}" : "{\"id\":1,\"state\":" + body.path("state") + "}";
        } else if (post && path.startsWith("/repos/" + repository + "/statuses/")) {
            status = 201;
            answer = "{\"id\":1}";
        } else {
            status = 404;
            answer = "{\"message\":\"Not Found\"}";
        }
        received.add(new Received(exchange.getRequestMethod(), path, headers.getFirst("Authorization"),
                headers.getFirst("Accept"), headers.getFirst("X-GitHub-Api-Version"), body, status));
        TestHttpServer.respond(exchange, status, answer);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow(); // wakes handlers still sleeping past a client timeout
    }
}
