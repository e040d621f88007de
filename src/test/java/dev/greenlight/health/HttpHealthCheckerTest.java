package dev.greenlight.health;

import static dev.greenlight.testing.TestHttpServer.respond;
import static dev.greenlight.testing.TestHttpServer.sleep;
import static dev.greenlight.testing.TestHttpServer.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.config.HealthSpec;
import dev.greenlight.testing.TestHttpServer;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpHealthCheckerTest {

    private final HttpHealthChecker checker = new HttpHealthChecker();
    private final TestHttpServer server = new TestHttpServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void healthyHostReportsEveryPathStatus() {
        server.on("/health", status(200, "{\"status\":\"UP\"}"))
                .on("/health/db", status(204, ""))
                .on("/health/errors", status(200, "{\"rate\":0.0}"));

        HealthReport report = checker.check(server.url(), List.of("/health", "/health/db", "/health/errors"),
                Duration.ofSeconds(2));

        assertThat(report.healthy()).isTrue();
        assertThat(report.results()).extracting(PathResult::status).containsExactly(200, 204, 200);
        assertThat(report.results()).extracting(PathResult::url).containsExactly(
                server.url() + "/health", server.url() + "/health/db", server.url() + "/health/errors");
        assertThat(report.summary())
                .matches("/health 200 \\d+ms, /health/db 204 \\d+ms, /health/errors 200 \\d+ms");
    }

    @Test
    void onePathAnswering503MakesTheHostUnhealthyAndTheSummaryNamesIt() {
        server.on("/health", status(200, "ok")).on("/health/db", status(503, "db down"));

        HealthReport report = checker.check(server.url(), List.of("/health", "/health/db"), Duration.ofSeconds(2));

        assertThat(report.healthy()).isFalse();
        assertThat(report.results()).extracting(PathResult::ok).containsExactly(true, false);
        assertThat(report.failures()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.error()).isNull();
        });
        assertThat(report.summary()).contains("/health/db 503 ");
    }

    @Test
    void pathSlowerThanTheTimeoutIsReportedAsTimedOutWithoutHoldingTheCheck() {
        server.on("/health", status(200, "ok")).on("/health/errors", exchange -> {
            sleep(3_000);
            respond(exchange, 200, "late");
        });

        long start = System.nanoTime();
        HealthReport report = checker.check(server.url(), List.of("/health", "/health/errors"), Duration.ofSeconds(1));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(report.healthy()).isFalse();
        assertThat(report.results().get(0).ok()).isTrue();
        PathResult slow = report.results().get(1);
        assertThat(slow.status()).isZero();
        assertThat(slow.error()).isEqualTo("timed out after 1s");
        assertThat(slow.millis()).isGreaterThanOrEqualTo(900);
        assertThat(report.summary()).endsWith("/health/errors: timed out after 1s");
        assertThat(elapsed).isLessThan(2_500);
    }

    @Test
    void bodyTricklingInPastTheTimeoutIsCutOff() {
        // headers arrive at once, so only the deadline on the whole exchange can stop this one
        server.on("/health", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            body.write('{');
            body.flush();
            sleep(3_000);
            exchange.close();
        });

        long start = System.nanoTime();
        HealthReport report = checker.check(server.url(), List.of("/health"), Duration.ofSeconds(1));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(report.healthy()).isFalse();
        assertThat(report.results().get(0).error()).isEqualTo("timed out after 1s");
        assertThat(elapsed).isLessThan(2_500);
    }

    @Test
    void pathsAreRequestedConcurrently() {
        int paths = 6;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        CountDownLatch allArrived = new CountDownLatch(paths);
        List<String> names = IntStream.range(0, paths).mapToObj(i -> "/health/" + i).toList();
        names.forEach(path -> server.on(path, exchange -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            allArrived.countDown();
            sleep(500);
            // stay in flight until every request has arrived, so a slow start cannot hide concurrency;
            // a sequential client would never get past one request in flight
            try {
                allArrived.await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            respond(exchange, 200, "ok");
        }));

        long start = System.nanoTime();
        HealthReport report = checker.check(server.url(), names, Duration.ofSeconds(2));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(report.healthy()).as(report.summary()).isTrue();
        assertThat(report.results()).hasSize(paths);
        assertThat(maxInFlight.get()).isEqualTo(paths);
        assertThat(elapsed).isLessThan(3_000);
    }

    @Test
    void refusedConnectionIsAnUnhealthyResultNotAnException() {
        String url = "http://127.0.0.1:" + TestHttpServer.closedPort();

        HealthReport report = checker.check(url, List.of("/health"), Duration.ofSeconds(2));

        assertThat(report.healthy()).isFalse();
        assertThat(report.results()).singleElement().satisfies(r -> {
            assertThat(r.status()).isZero();
            assertThat(r.error()).isEqualTo("connection refused");
        });
        assertThat(report.summary()).isEqualTo("/health: connection refused");
    }

    /** A server that accepts and resets at once (SO_LINGER 0): an unhealthy answer, bounded, never an exception. */
    @Test
    void aConnectionResetIsAnUnhealthyResultNotAnException() throws Exception {
        try (java.net.ServerSocket resetting = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!resetting.isClosed()) {
                    try {
                        java.net.Socket s = resetting.accept();
                        s.setSoLinger(true, 0);
                        s.close();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            long started = System.nanoTime();

            HealthReport report = checker.check("http://127.0.0.1:" + resetting.getLocalPort(), List.of("/health"),
                    Duration.ofSeconds(2));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(report.healthy()).isFalse();
            assertThat(report.results()).singleElement().satisfies(r -> {
                assertThat(r.status()).isZero();
                assertThat(r.error()).isNotBlank();
            });
        }
    }

    @Test
    void redirectsAreNotFollowed() {
        server.on("/health", exchange -> {
            exchange.getResponseHeaders().add("Location", "/login");
            respond(exchange, 302, "");
        }).on("/login", status(200, "login page"));

        HealthReport report = checker.check(server.url(), List.of("/health"), Duration.ofSeconds(2));

        assertThat(report.healthy()).isFalse();
        assertThat(report.results().get(0).status()).isEqualTo(302);
        assertThat(server.requests()).containsExactly("GET /health");
    }

    @Test
    void baseUrlAndPathAreJoinedWithExactlyOneSlash() {
        server.on("/health", status(200, "ok"));

        HealthReport report = checker.check(server.url() + "/", List.of("health"), Duration.ofSeconds(2));

        assertThat(report.healthy()).isTrue();
        assertThat(report.results().get(0).url()).isEqualTo(server.url() + "/health");
    }

    @Test
    void invalidBaseUrlIsAResultNotAnException() {
        HealthReport report = checker.check("ftp://example.test", List.of("/health"), Duration.ofSeconds(1));

        assertThat(report.healthy()).isFalse();
        assertThat(report.results().get(0).error()).startsWith("invalid URL: not an http(s) URL");
    }

    @Test
    void aBatchOfHostsIsCheckedInParallelThroughCheckAsync() {
        try (TestHttpServer sick = new TestHttpServer()) {
            server.on("/health", status(200, "ok"));
            sick.on("/health", status(500, "boom"));
            Duration timeout = Duration.ofSeconds(2);

            CompletableFuture<HealthReport> first = checker.checkAsync(server.url(), List.of("/health"), timeout);
            CompletableFuture<HealthReport> second = checker.checkAsync(sick.url(), List.of("/health"), timeout);
            CompletableFuture.allOf(first, second).join();

            assertThat(first.join().healthy()).isTrue();
            assertThat(second.join().healthy()).isFalse();
            assertThat(second.join().summary()).matches("/health 500 \\d+ms");
        }
    }

    @Test
    void specSuppliesPathsAndTimeoutForARenderedBaseUrl() {
        server.on("/ready", status(200, "ok"));
        HealthSpec spec = new HealthSpec(null, "http://{{host}}:8080", List.of("/ready"), 3, null,
                Duration.ofSeconds(1));

        HealthReport report = checker.check(server.url(), spec.paths(), spec.timeout());

        assertThat(report.healthy()).isTrue();
        assertThat(server.requests()).containsExactly("GET /ready");
    }
}
