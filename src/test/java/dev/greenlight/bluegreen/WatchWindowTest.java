package dev.greenlight.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.config.WatchSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WatchWindowTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static WatchWindow window(int maxErrors, Duration maxP95) {
        return new WatchWindow(new WatchSpec(Duration.ofSeconds(40), Duration.ofSeconds(1), maxErrors, "/health/errors",
                "errors", maxP95), T0);
    }

    @Test
    void moreErrorsThanAllowedInsideTheWindowFailWithTheLastEvidence() {
        WatchWindow w = window(10, null);
        w.add(T0.plusSeconds(1), 4, List.of(5L), "/health 503 3ms on prod-1");
        w.add(T0.plusSeconds(2), 0, List.of(5L), null);
        assertThat(w.verdict(T0.plusSeconds(2))).isEmpty();
        w.add(T0.plusSeconds(3), 7, List.of(5L), "/health/errors said errors=57 on prod-2");

        assertThat(w.verdict(T0.plusSeconds(3))).hasValue("watch: 11 errors in 3s, more than 10 allowed "
                + "(last: /health/errors said errors=57 on prod-2)");
    }

    @Test
    void errorsOlderThanTheWindowNoLongerCount() {
        WatchWindow w = window(10, null);
        w.add(T0.plusSeconds(1), 8, List.of(5L), "old");
        w.add(T0.plusSeconds(45), 5, List.of(5L), "new");
        assertThat(w.verdict(T0.plusSeconds(45))).isEmpty();
    }

    @Test
    void exactlyMaxErrorsPasses() {
        WatchWindow w = window(3, null);
        w.add(T0.plusSeconds(1), 3, List.of(), "x");
        assertThat(w.verdict(T0.plusSeconds(1))).isEmpty();
    }

    @Test
    void theCounterCountsItsIncreaseFromTheFirstReading() {
        WatchWindow w = window(10, null);
        assertThat(w.counter("prod-1", 50)).isZero();
        assertThat(w.counter("prod-1", 53)).isEqualTo(3);
        assertThat(w.counter("prod-1", 53)).isZero();
        assertThat(w.counter("prod-2", 7)).isZero();
        // a counter that went down was reset by a restart: a new baseline
        assertThat(w.counter("prod-1", 2)).isZero();
        assertThat(w.counter("prod-1", 4)).isEqualTo(2);
    }

    @Test
    void p95IsJudgedOnlyOnceEnoughLatenciesExist() {
        WatchWindow w = window(10, Duration.ofMillis(800));
        w.add(T0.plusSeconds(1), 0, List.of(2000L, 1500L), null);
        assertThat(w.verdict(T0.plusSeconds(1))).as("two slow first answers are not a trend").isEmpty();
        w.add(T0.plusSeconds(2), 0, List.of(900L, 950L, 1000L), null);
        assertThat(w.verdict(T0.plusSeconds(2))).hasValueSatisfying(v -> assertThat(v)
                .startsWith("watch: latency p95 2000ms over 5 requests in 2s, more than the 800ms allowed"));
    }

    @Test
    void p95UnderTheLimitPasses() {
        WatchWindow w = window(10, Duration.ofMillis(800));
        w.add(T0.plusSeconds(1), 0, LongStream.rangeClosed(1, 100).map(i -> i == 100 ? 5000 : 10).boxed().toList(), null);
        assertThat(w.verdict(T0.plusSeconds(1))).isEmpty();
        assertThat(WatchWindow.p95(LongStream.rangeClosed(1, 20).boxed().toList())).isEqualTo(19);
    }

    @Test
    void theWatchRunsForItsDurationAndNeverWaitsPastIt() {
        WatchWindow w = window(10, null);
        assertThat(w.running(T0.plusSeconds(39))).isTrue();
        assertThat(w.running(T0.plusSeconds(40))).isFalse();
        assertThat(w.nextDelayMillis(T0.plusSeconds(5))).isEqualTo(1000);
        assertThat(w.nextDelayMillis(T0.plusMillis(39_700))).isEqualTo(300);
    }
}
