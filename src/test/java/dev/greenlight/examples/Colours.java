package dev.greenlight.examples;

import dev.greenlight.testing.TestHttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;

/**
 * The two colours of an app, real HTTP servers on free loopback ports: by default {@code /} answers the colour's
 * name, {@code /health} 200. And a keep-alive client that reads who answers through a proxy.
 */
final class Colours implements AutoCloseable {
    final TestHttpServer blue;
    final TestHttpServer green;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Colours() {
        this(Colours::colour);
    }

    /** @param colour the server of the colour named */
    Colours(Function<String, TestHttpServer> colour) {
        blue = colour.apply("blue");
        green = colour.apply("green");
    }

    private static TestHttpServer colour(String name) {
        return new TestHttpServer().on("/", TestHttpServer.status(200, name)).on("/health", TestHttpServer.status(200, "ok"));
    }

    static int port(TestHttpServer server) {
        String hostPort = server.hostPort();
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** The body of each of {@code count} requests to the proxy on {@code port}, sent one after another. */
    List<String> answers(int port, int count) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(5)).build();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            bodies.add(response.statusCode() + " " + response.body());
        }
        return bodies;
    }

    /** Waits for the proxy on {@code port} to answer {@code 200 <colour>}. */
    void awaitServing(int port, String colour) {
        Awaitility.await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> answers(port, 1).equals(List.of("200 " + colour)));
    }

    @Override
    public void close() {
        blue.close();
        green.close();
    }
}
