package dev.greenlight.bluegreen;

import dev.greenlight.config.Durations;
import dev.greenlight.config.WatchSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The statistics of one post-switch watch: every probe's errors and latencies, and the verdict over the window (the
 * last {@code duration}): more than {@code max-errors} errors, or a latency p95 over {@code max-p95}, fails. The p95
 * is judged only once {@value #MIN_LATENCIES} latencies exist: one slow first answer (a cold cache) is not a trend.
 * Errors are counted as they happen: a failed request is one, and an increase of a host's error counter counts its
 * increase (its first reading is the baseline).
 */
public final class WatchWindow {
    /** Latencies needed before the p95 is judged. */
    static final int MIN_LATENCIES = 5;

    private record Probe(Instant at, int errors, List<Long> latencies, String evidence) {
    }

    private final WatchSpec spec;
    private final Instant start;
    private final List<Probe> probes = new ArrayList<>();
    private final Map<String, Long> counters = new HashMap<>();

    public WatchWindow(WatchSpec spec, Instant start) {
        this.spec = spec;
        this.start = start;
    }

    /** The watch goes on while its duration has not passed. */
    public boolean running(Instant now) {
        return now.isBefore(start.plus(spec.duration()));
    }

    /** The wait before the next round: the interval, or what is left of the duration if less. */
    public long nextDelayMillis(Instant now) {
        Duration left = Duration.between(now, start.plus(spec.duration()));
        return Math.max(0, Math.min(spec.interval().toMillis(), left.toMillis()));
    }

    /**
     * A reading of {@code host}'s error counter.
     *
     * @return how many new errors it says (0 for the first reading, or when the counter went down: a restart)
     */
    public synchronized long counter(String host, long count) {
        Long last = counters.put(host, count);
        return last == null || count < last ? 0 : count - last;
    }

    /** One probe of one host: its errors, latencies, and what it saw when it saw errors. */
    public synchronized void add(Instant at, int errors, List<Long> latencies, String evidence) {
        probes.add(new Probe(at, errors, List.copyOf(latencies), evidence));
    }

    /** Why the release must be rolled back now, if it must. */
    public synchronized Optional<String> verdict(Instant now) {
        Instant from = now.minus(spec.duration());
        List<Probe> window = probes.stream().filter(p -> p.at().isAfter(from)).toList();
        int errors = window.stream().mapToInt(Probe::errors).sum();
        String span = span(Duration.between(start.isAfter(from) ? start : from, now));
        if (errors > spec.maxErrors()) {
            String last = window.stream().filter(p -> p.errors() > 0).reduce((a, b) -> b).map(Probe::evidence)
                    .orElse("");
            return Optional.of("watch: " + errors + " errors in " + span + ", more than " + spec.maxErrors()
                    + " allowed (last: " + last + ")");
        }
        List<Long> latencies = window.stream().flatMap(p -> p.latencies().stream()).sorted().toList();
        if (spec.maxP95() != null && latencies.size() >= MIN_LATENCIES) {
            long p95 = p95(latencies);
            if (p95 > spec.maxP95().toMillis()) {
                return Optional.of("watch: latency p95 " + p95 + "ms over " + latencies.size() + " requests in " + span
                        + ", more than the " + Durations.format(spec.maxP95()) + " allowed");
            }
        }
        return Optional.empty();
    }

    /** Whole seconds from 10s on, milliseconds below: "in 0s" would say nothing. */
    static String span(Duration d) {
        return Durations.format(d.toSeconds() >= 10 ? Duration.ofSeconds(d.toSeconds()) : Duration.ofMillis(d.toMillis()));
    }

    /** The nearest-rank 95th percentile of sorted values. */
    static long p95(List<Long> sorted) {
        int rank = (int) Math.ceil(0.95 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
