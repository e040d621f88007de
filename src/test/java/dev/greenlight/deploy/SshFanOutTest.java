package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.ssh.HandshakeMeter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssh.max-concurrent-starts bounds how many SSH sessions are being opened at once; waiting for a turn is no timeout. */
class SshFanOutTest {
    @TempDir
    Path dir;

    @Test
    void noMoreHandshakesThanTheBoundAreInFlightAndAProbeQueuedBehindItDoesNotTimeOut() throws Exception {
        HandshakeMeter meter = new HandshakeMeter();
        // each login takes 1.2 s; two at a time, the fifth host's turn comes about 2.4 s after the first, and its
        // connection ends about 3.6 s after the pre-check began: later than the 3 s connect timeout and probe bound
        try (RollingFixture f = RollingFixture.start(dir, 5, "batch: 5", Map.of(), "", "", null, null,
                PipelineRecordsTest.metered(meter, Duration.ofMillis(1200)), "max-concurrent-starts: 2", Map.of())) {
            JsonNode d = f.awaitEnd(f.deploy("1.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            assertThat(meter.completed()).as("every host logged in").isGreaterThanOrEqualTo(5);
            assertThat(meter.most()).as("handshakes in flight at once").isLessThanOrEqualTo(2);
            assertThat(RollbackTest.steps(d, "pre-check", null)).hasSize(5)
                    .allMatch(s -> s.get("status").asText().equals("succeeded"));
        }
    }

    @Test
    void withoutTheSettingThirtyHandshakesMayRunAtOnce() throws Exception {
        HandshakeMeter meter = new HandshakeMeter();
        try (RollingFixture f = RollingFixture.start(dir, 4, "batch: 4", Map.of(), "", "", null, null,
                PipelineRecordsTest.metered(meter, Duration.ofMillis(1000)), "", Map.of())) {
            JsonNode d = f.awaitEnd(f.deploy("1.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("succeeded");
            assertThat(meter.most()).as("the four hosts were not opened one by one").isGreaterThan(1);
        }
    }
}
