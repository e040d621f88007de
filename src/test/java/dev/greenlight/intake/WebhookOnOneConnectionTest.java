package dev.greenlight.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delivery is answered on the one connection of its transaction. With every pooled connection held by a delivery
 * in flight, one that asked the pool for a second connection would wait out the pool's timeout (30 s) and fail, and
 * with it every delivery holding a connection. Here the pool has two: one delivery is held in its transaction by a
 * row lock the test takes, and the other, to an environment locked by a failed rollback, must still be answered at
 * once, lock notice included.
 */
class WebhookOnOneConnectionTest {
    @TempDir
    Path dir;

    @Test
    void aDeliveryNeedsNoSecondConnectionWhileAnotherHoldsTheRest() throws Exception {
        try (TestDatabase db = TestDatabase.postgres();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                     Map.of("greenlight.db.pool-size", "2", "greenlight.dispatch.period", "3600000",
                             "greenlight.events.period", "3600000"))) {
            app.stopBackgroundRoutes(); // nothing else borrows the two connections
            app.bean("environmentLease", EnvironmentLease.class).lockAfterFailedRollback("docs", "staging", 7);
            CompletableFuture<HttpResponse<String>> held;
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                // the blog delivery's enqueue waits for this row, holding its claim's connection meanwhile
                s.execute("select app from environment_state where app = 'blog' and environment = 'staging' for update");
                held = CompletableFuture.supplyAsync(() ->
                        GithubDelivery.of("push", GithubDelivery.push("acme/blog", "main")).send(app));
                Thread.sleep(500);
                assertThat(held).as("blog's delivery waits in its transaction").isNotDone();

                CompletableFuture<HttpResponse<String>> docs = CompletableFuture.supplyAsync(() ->
                        GithubDelivery.of("push", GithubDelivery.push("acme/docs", "main")).send(app));
                HttpResponse<String> r = docs.get(10, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                assertThat(GithubDelivery.MAPPER.readTree(r.body()).path("deployments").get(0).path("lockedBy")
                        .asLong()).isEqualTo(7);
                c.rollback();
            }
            HttpResponse<String> blog = held.get(10, TimeUnit.SECONDS);
            assertThat(blog.statusCode()).as(blog.body()).isEqualTo(202);
        }
    }
}
