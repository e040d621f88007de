package dev.greenlight.notify;

import static org.awaitility.Awaitility.await;

import dev.greenlight.config.Durations;
import dev.greenlight.deploy.RollingFixture;
import dev.greenlight.testing.Sql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifications benchmark (run by bench/notifications.sh, not part of the test suite: its name is no *Test).
 * A real Greenlight on PostgreSQL deploys to the simulated SSH hosts; a local HTTP server is the provider.
 * <ol>
 *   <li>Latency: {@code bench.latency-deployments} deployments with the provider up; each message's time from its
 *   event (the outbox row, written in the event's transaction) to its arrival at the provider.</li>
 *   <li>Outage: the provider answers 503 while {@code bench.queued} messages are queued over
 *   {@code bench.channels} channels, for {@code bench.outage}; then it answers 200 and the outbox drains. Every
 *   message must arrive exactly once, in its channel's order, none dead.</li>
 * </ol>
 * The service runs with its default delivery settings (retry 10 s doubling to 5 min, 8 attempts).
 */
class NotificationsBench {
    @TempDir
    Path dir;

    private final int latencyDeployments = Integer.getInteger("bench.latency-deployments", 100);
    private final int queued = Integer.getInteger("bench.queued", 1000);
    private final int channels = Integer.getInteger("bench.channels", 4);
    private final Duration outage = Durations.parse(System.getProperty("bench.outage", "10m")).orElseThrow();
    private final Path out = Path.of(System.getProperty("bench.out", "target/notifications-bench.md"));
    private final List<String> report = new ArrayList<>();

    private RollingFixture start(Path at, ChatProvider provider, List<String> names) throws Exception {
        StringBuilder yaml = new StringBuilder("notifications:\n");
        Map<String, String> env = new HashMap<>();
        for (String name : names) {
            yaml.append("  ").append(name).append(": { type: webhook, url-env: ").append(name.toUpperCase())
                    .append("_URL, events: [started, succeeded] }\n");
            env.put(name.toUpperCase() + "_URL", provider.hook("/" + name));
        }
        return RollingFixture.start(at, 1, "notify: [" + String.join(", ", names) + "]", env, "", yaml.toString(),
                null, null, UnaryOperator.identity(), "", Map.of());
    }

    @Test
    void run() throws Exception {
        latency();
        outage();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
        System.out.println(String.join("\n", report));
    }

    private void latency() throws Exception {
        try (ChatProvider provider = new ChatProvider();
             RollingFixture f = start(Files.createDirectories(dir.resolve("latency")), provider, List.of("lat"))) {
            for (int i = 1; i <= latencyDeployments; i++) f.deployed("v" + i);
            int expected = 2 * latencyDeployments;
            await().atMost(Duration.ofMinutes(2)).until(() -> provider.delivered("/lat").size() >= expected);
            Map<String, Long> created = createdAt(f, "lat");
            List<Long> millis = new ArrayList<>();
            for (ChatProvider.Request r : provider.delivered("/lat")) {
                millis.add(r.at().toEpochMilli() - created.get(key(r)));
            }
            millis.sort(null);
            report.add("## Event to message, provider up");
            report.add("");
            report.add("| messages | p50 | p90 | p99 | max | target |");
            report.add("|---|---|---|---|---|---|");
            report.add("| %d | %d ms | %d ms | %d ms | %d ms | p99 < 1000 ms: %s |".formatted(millis.size(),
                    pct(millis, 50), pct(millis, 90), pct(millis, 99), millis.get(millis.size() - 1),
                    pct(millis, 99) < 1000 ? "met" : "MISSED"));
            report.add("");
        }
    }

    private void outage() throws Exception {
        List<String> names = new ArrayList<>();
        for (int c = 1; c <= channels; c++) names.add("q" + c);
        try (ChatProvider provider = new ChatProvider();
             RollingFixture f = start(Files.createDirectories(dir.resolve("outage")), provider, names)) {
            for (String n : names) provider.always("/" + n, ChatProvider.Answer.of(503));
            Instant down = Instant.now();
            int deployments = (queued + 2 * channels - 1) / (2 * channels);
            for (int i = 1; i <= deployments; i++) f.deployed("v" + i);
            Duration queuing = Duration.between(down, Instant.now());
            long waiting = Sql.count(f.db, "select count(*) from notifications where status <> 'sent'");
            Duration left = outage.minus(Duration.between(down, Instant.now()));
            if (!left.isNegative()) Thread.sleep(left.toMillis());
            int refused = provider.requests.size();
            Instant up = Instant.now();
            for (String n : names) provider.always("/" + n, ChatProvider.Answer.of(200));
            int total = deployments * 2 * channels;
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> provider.requests.stream().filter(r -> r.answered() == 200).count() >= total);
            Thread.sleep(3000); // a duplicate would come now
            Instant last = provider.requests.stream().filter(r -> r.answered() == 200).map(ChatProvider.Request::at)
                    .max(Instant::compareTo).orElseThrow();
            int duplicates = 0;
            int outOfOrder = 0;
            int missing = 0;
            for (String n : names) {
                List<String> order = new ArrayList<>(createdAt(f, n).keySet());
                List<String> got = provider.delivered("/" + n).stream().map(NotificationsBench::key).toList();
                duplicates += got.size() - new HashSet<>(got).size();
                Set<String> gotSet = new HashSet<>(got);
                missing += (int) order.stream().filter(k -> !gotSet.contains(k)).count();
                if (!got.equals(order)) outOfOrder++;
            }
            long dead = Sql.count(f.db, "select count(*) from notifications where status = 'dead'");
            report.add("## %d queued messages drained after a provider outage".formatted(total));
            report.add("");
            report.add("| setting or figure | value |");
            report.add("|---|---|");
            report.add("| outage (the provider answers 503) | %s%s |".formatted(Durations.format(outage),
                    outage.equals(Duration.ofMinutes(10)) ? "" : " (shorter than the 10 min the issue asks for)"));
            report.add("| channels | %d |".formatted(channels));
            report.add("| deployments during the outage | %d, queued in %d s |".formatted(deployments,
                    queuing.toSeconds()));
            report.add("| messages waiting when the provider came back | %d |".formatted(waiting));
            report.add("| attempts refused during the outage | %d |".formatted(refused));
            report.add("| provider up to last message delivered | %.1f s |".formatted(
                    Duration.between(up, last).toMillis() / 1000.0));
            report.add("| delivered | %d of %d |".formatted(provider.requests.stream()
                    .filter(r -> r.answered() == 200).count(), total));
            report.add("| missing, duplicates, dead | %d, %d, %d |".formatted(missing, duplicates, dead));
            report.add("| channels whose order differs from the event order | %d |".formatted(outOfOrder));
            report.add("| verdict | %s |".formatted(missing == 0 && duplicates == 0 && dead == 0 && outOfOrder == 0
                    ? "no loss, no duplicates, in order per channel" : "FAILED"));
        }
    }

    /** A channel's rows in event order (the outbox's id order), each with its creation time in epoch millis. */
    private static Map<String, Long> createdAt(RollingFixture f, String channel) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (Map<String, Object> row : Sql.rows(f.db, "select deployment_id, event, "
                + "cast(extract(epoch from created_at) * 1000 as bigint) as at from notifications where channel = ? "
                + "order by id", channel)) {
            out.put(row.get("deployment_id") + "/" + row.get("event"), ((Number) row.get("at")).longValue());
        }
        return out;
    }

    private static String key(ChatProvider.Request r) {
        return r.body().get("deploymentId").asLong() + "/" + r.event();
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
