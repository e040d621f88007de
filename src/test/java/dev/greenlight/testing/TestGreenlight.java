package dev.greenlight.testing;

import dev.greenlight.Greenlight;
import dev.greenlight.GreenlightConfiguration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.main.Main;

/**
 * The real service, started in-process exactly as {@code java -jar} starts it (Camel Main, the YAML routes under
 * routes/, application.properties), on free ports, against a test database and a test configuration file. The
 * process environment is replaced by {@code env}, so tests set secrets the way operators do.
 */
public final class TestGreenlight implements AutoCloseable {
    private final Main main;
    private final int port;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestGreenlight(Main main, int port, int managementPort) {
        this.main = main;
        this.port = port;
        this.managementPort = managementPort;
    }

    public static TestGreenlight start(Path config, TestDatabase db, Map<String, String> env) {
        return start(config, db, env, Map.of());
    }

    public static TestGreenlight start(Path config, TestDatabase db, Map<String, String> env,
                                       Map<String, String> properties) {
        int port = freePort();
        int managementPort = freePort();
        Main main = Greenlight.newMain();
        Map<String, String> environment = new HashMap<>(env);
        main.bind(GreenlightConfiguration.ENVIRONMENT_BEAN, (UnaryOperator<String>) environment::get);
        main.addOverrideProperty("camel.server.port", String.valueOf(port));
        main.addOverrideProperty("camel.management.port", String.valueOf(managementPort));
        main.addOverrideProperty("greenlight.config", config.toString());
        main.addOverrideProperty("greenlight.db.url", db.url());
        main.addOverrideProperty("greenlight.db.user", db.user());
        if (db.schema() != null) main.addOverrideProperty("greenlight.db.schema", db.schema());
        main.addOverrideProperty("greenlight.dispatch.period", "200");
        main.addOverrideProperty("greenlight.events.period", "300");
        main.addOverrideProperty("camel.main.shutdown-timeout", "5");
        // tests send many refused requests from one loopback address; those of the refusal limit set their own
        main.addOverrideProperty("greenlight.http.refusal-limit", "100000");
        properties.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("Greenlight did not start: " + e.getMessage(), e);
        }
        return new TestGreenlight(main, port, managementPort);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /**
     * Stops the routes that run by themselves (timers, queues): the dispatcher and whatever consumes started
     * deployments. HTTP routes keep serving, and a test drives the queue itself through the beans.
     */
    public void stopBackgroundRoutes() {
        for (Route route : context().getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (uri.startsWith("timer:") || uri.startsWith("seda:") || uri.startsWith("scheduler:")) {
                try {
                    context().getRouteController().stopRoute(route.getRouteId());
                } catch (Exception e) {
                    throw new IllegalStateException("cannot stop route " + route.getRouteId(), e);
                }
            }
        }
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b.build());
    }

    public HttpResponse<String> postJson(String path, String token, String json) {
        return send(postRequest(path, token, json));
    }

    public HttpRequest postRequest(String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b.build();
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
