package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.ServiceInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Greenlight answered is in its store after the process is killed, on the embedded default store. The real
 * service runs as a separate JVM in a working directory of its own (its H2 file under {@code ./data/}, as an
 * operator who installs nothing gets it); signed pushes are posted one after another, the process is killed with
 * SIGKILL at a random moment, restarted on the same file, and killed again. Then every delivery that was answered
 * 202 must be in the store with the deployments it queued and their audit entries.
 */
class CrashDurabilityTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final int KILLS = 3;

    @TempDir
    Path work;

    /** Delivery id → the ids of the deployments its 202 answer named. */
    final Map<String, List<Long>> answered = new ConcurrentHashMap<>();

    @Test
    void everyDeliveryAnswered202SurvivesAKillOfTheProcess() throws Exception {
        // the working directory of an installation: its settings and its greenlight.yaml (the routes are in the jar)
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        TestConfig.write(work);
        Random random = new Random();
        for (int kill = 1; kill <= KILLS; kill++) {
            ServiceInstance service = ServiceInstance.start(work, TestConfig.environment(), Map.of());
            System.out.printf("run %d: started in %d ms, %d deliveries answered so far%n", kill,
                    service.startMillis(), answered.size());
            try {
                postUntilKilled(service, 10 + random.nextInt(40), random.nextInt(30));
            } finally {
                service.kill();
            }
        }
        assertThat(answered).as("deliveries answered before the kills").hasSizeGreaterThanOrEqualTo(KILLS * 10);

        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + work.resolve("data/greenlight")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "")) {
            List<String> missing = new ArrayList<>();
            answered.forEach((delivery, deployments) -> missing.addAll(problems(c, delivery, deployments)));
            assertThat(missing).as("of %d answered deliveries", answered.size()).isEmpty();
        }
    }

    /**
     * Posts signed pushes one after another, and kills the process while they go on: once {@code answers} more
     * deliveries have been answered, and {@code delayMillis} later, so the kill falls at any point of a request
     * (however slow the machine is, every run has answers to lose).
     */
    private void postUntilKilled(ServiceInstance service, int answers, int delayMillis) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        int target = answered.size() + answers;
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<?> sending = sender.submit(() -> {
                while (!killed.get()) {
                    GithubDelivery push = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY,
                            TestConfig.BRANCH));
                    try {
                        HttpResponse<String> r = push.send(service.uri("/webhooks/github"));
                        if (r.statusCode() == 202) answered.put(push.id(), deploymentIds(r.body()));
                    } catch (UncheckedIOException e) {
                        // the answer was lost with the process: the delivery counts as not answered
                    }
                }
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answered.size() < target && !sending.isDone() && System.nanoTime() < deadline) Thread.sleep(1);
            Thread.sleep(delayMillis);
            service.kill();
            killed.set(true);
            sending.get(60, TimeUnit.SECONDS);
        } finally {
            sender.shutdownNow();
        }
    }

    private static List<Long> deploymentIds(String body) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (JsonNode d : MAPPER.readTree(body).path("deployments")) ids.add(d.path("id").asLong());
        return ids;
    }

    /** What is missing from the store for one answered delivery: nothing, when it survived. */
    private static List<String> problems(Connection c, String delivery, List<Long> deployments) {
        List<String> out = new ArrayList<>();
        if (deployments.isEmpty()) out.add(delivery + ": its 202 answer named no deployment");
        if (count(c, "select count(*) from webhook_deliveries where delivery_id = ? and response_status = 202",
                delivery) != 1) {
            out.add(delivery + ": no stored answer");
        }
        for (long id : deployments) {
            if (count(c, "select count(*) from deployments where id = ? and delivery_id = ?", id, delivery) != 1) {
                out.add(delivery + ": deployment " + id + " missing");
            }
            if (count(c, "select count(*) from audit_log where deployment_id = ? and action = 'deployment.queued'",
                    id) != 1) {
                out.add(delivery + ": no audit entry for deployment " + id);
            }
        }
        return out;
    }

    private static long count(Connection c, String sql, Object... params) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
