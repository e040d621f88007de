package dev.greenlight.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A demo host's live path: the proxy in front of its two colours. Each request goes to the port named in the host's
 * {@code live-port} file, read afresh every time, which the demo's switch command replaces atomically; so a switch
 * moves the traffic from the next request on, as a proxy's reload would.
 */
final class LiveProxy implements AutoCloseable {
    static final String TARGET_FILE = "live-port";

    private final HttpServer server;
    private final ExecutorService threads;

    private LiveProxy(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    static LiveProxy start(String address, int port, Path hostDir) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 50);
        server.createContext("/", exchange -> forward(exchange, client, address, hostDir.resolve(TARGET_FILE)));
        ExecutorService threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.start();
        return new LiveProxy(server, threads);
    }

    private static void forward(HttpExchange exchange, HttpClient client, String address, Path target)
            throws IOException {
        try {
            String port;
            try {
                port = Files.readString(target).trim();
            } catch (NoSuchFileException e) {
                answer(exchange, 503, "no colour is live on " + address + " yet\n");
                return;
            }
            URI uri = URI.create("http://" + address + ":" + Integer.parseInt(port) + exchange.getRequestURI());
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().add("Content-Type", type));
            byte[] body = response.body();
            exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException | NumberFormatException e) {
            answer(exchange, 502, "the live colour did not answer: " + e.getMessage() + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(exchange, 502, "interrupted\n");
        } finally {
            exchange.close();
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
