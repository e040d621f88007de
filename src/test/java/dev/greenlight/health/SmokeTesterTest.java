package dev.greenlight.health;

import static dev.greenlight.testing.TestHttpServer.respond;
import static dev.greenlight.testing.TestHttpServer.sleep;
import static dev.greenlight.testing.TestHttpServer.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.config.SmokeCheck;
import dev.greenlight.testing.TestHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmokeTesterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final SmokeTester tester = new SmokeTester();
    private final TestHttpServer server = new TestHttpServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void passesWhenStatusAndBodyMatch() {
        server.on("/api/ping", status(200, "{\"status\":\"ok\"}"));

        SmokeResult result = tester.run(server.url(), new SmokeCheck("ping", null, "/api/ping", null, 0, "\"ok\""),
                TIMEOUT);

        assertThat(result.passed()).isTrue();
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.detail()).isEqualTo("ok");
        assertThat(result.url()).isEqualTo(server.url() + "/api/ping");
    }

    @Test
    void statusMismatchSaysWhatWasExpected() {
        server.on("/api/orders", status(500, "{\"status\":\"ok\"}"));

        SmokeResult result = tester.run(server.url(), new SmokeCheck(null, "GET", "/api/orders", null, 200, null), TIMEOUT);

        assertThat(result.passed()).isFalse();
        assertThat(result.status()).isEqualTo(500);
        assertThat(result.detail()).isEqualTo("expected status 200, got 500");
        assertThat(result.summary()).isEqualTo("GET /api/orders: expected status 200, got 500");
    }

    @Test
    void bodyMismatchQuotesTheMissingText() {
        server.on("/api/ping", status(200, "{\"status\":\"degraded\"}"));

        SmokeResult result = tester.run(server.url(), new SmokeCheck(null, "GET", "/api/ping", null, 200, "ok"),
                TIMEOUT);

        assertThat(result.passed()).isFalse();
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.detail()).isEqualTo("body does not contain \"ok\"");
    }

    @Test
    void postSendsTheJsonBodyWithItsContentType() {
        AtomicReference<String> method = new AtomicReference<>();
        AtomicReference<String> contentType = new AtomicReference<>();
        AtomicReference<String> received = new AtomicReference<>();
        server.on("/api/orders", exchange -> {
            method.set(exchange.getRequestMethod());
            contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            received.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            respond(exchange, 201, "{\"id\":42}");
        });
        String json = "{\"item\":\"smoke\",\"qty\":1}";

        SmokeResult result = tester.run(server.url(),
                new SmokeCheck("create order", "post", "/api/orders", json, 201, "\"id\""), TIMEOUT);

        assertThat(result.passed()).as(result.detail()).isTrue();
        assertThat(result.name()).isEqualTo("create order");
        assertThat(method.get()).isEqualTo("POST");
        assertThat(contentType.get()).isEqualTo("application/json");
        assertThat(received.get()).isEqualTo(json);
    }

    @Test
    void refusedConnectionIsAFailedResult() {
        String url = "http://127.0.0.1:" + TestHttpServer.closedPort();

        SmokeResult result = tester.run(url, new SmokeCheck(null, "GET", "/api/ping", null, 200, null), TIMEOUT);

        assertThat(result.passed()).isFalse();
        assertThat(result.status()).isZero();
        assertThat(result.detail()).isEqualTo("connection refused");
    }

    @Test
    void slowAnswerIsAFailedResultAfterTheTimeout() {
        server.on("/api/slow", exchange -> {
            sleep(3_000);
            respond(exchange, 200, "ok");
        });

        SmokeResult result = tester.run(server.url(), new SmokeCheck(null, "GET", "/api/slow", null, 200, null), Duration.ofSeconds(1));

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).isEqualTo("timed out after 1s");
    }

    @Test
    void expectedRedirectIsNotFollowed() {
        server.on("/old", exchange -> {
            exchange.getResponseHeaders().add("Location", "/new");
            respond(exchange, 301, "");
        });

        SmokeResult result = tester.run(server.url(), new SmokeCheck(null, null, "/old", null, 301, null), TIMEOUT);

        assertThat(result.passed()).isTrue();
        assertThat(server.requests()).containsExactly("GET /old");
    }

    @Test
    void checkDefaults() {
        SmokeCheck check = new SmokeCheck(null, null, "/api/ping", "", 0, "");

        assertThat(check.method()).isEqualTo("GET");
        assertThat(check.status()).isEqualTo(200);
        assertThat(check.name()).isEqualTo("GET /api/ping");
        assertThat(check.body()).isNull();
        assertThat(check.bodyContains()).isNull();
    }
}
