package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Failures injected at stable step ids of the real routes (AdviceWith): wherever the rolling pipeline fails, the
 * dead-letter channel decides by what was changed, not by where it happened.
 */
class PipelineFaultInjectionTest {
    @TempDir
    Path dir;

    @Test
    void failureAfterEveryHostChangedRollsBackEveryHost() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            inject(f, "post-deploy");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rolled_back");
            assertThat(d.get("detail").asText()).startsWith("injected at post-deploy");
            assertThat(f.hosts.history(1)).containsExactly("1.0.0", "2.0.0", "1.0.0");
            assertThat(f.hosts.history(2)).containsExactly("1.0.0", "2.0.0", "1.0.0");
        }
    }

    @Test
    void failureBeforeAnyHostChangedFailsWithNothingToUndo() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            inject(f, "registry-check");

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).isEqualTo("injected at registry-check; nothing was changed");
            assertThat(f.hosts.history(1)).containsExactly("1.0.0");
            assertThat(f.hosts.history(2)).containsExactly("1.0.0");
        }
    }

    @Test
    void anUnexpectedFailureIsAPlainSentenceInTheStatusAndAuditWithTheDetailInTheLog() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of())) {
            f.deployed("1.0.0");
            AdviceWith.adviceWith(f.app.context(), "pipeline-rolling", a -> a.weaveById("post-deploy").replace()
                    .throwException(new IllegalStateException("index 7 out of bounds for length 3")));

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).isEqualTo("rolled_back");
            String audit = f.app.get("/api/v1/audit", RollingFixture.TOKEN).body();
            for (String told : new String[] {d.get("detail").asText(), audit}) {
                assertThat(told).doesNotContain("IllegalStateException").doesNotContain("out of bounds");
            }
            assertThat(d.get("detail").asText()).startsWith("an internal error stopped the deployment (the log of "
                    + "deployment " + d.get("id").asLong() + " has the details)");
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).anySatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull()
                .satisfies(t -> assertThat(t.getMessage()).isEqualTo("index 7 out of bounds for length 3")));
    }

    @Test
    void whenTheRollbackItselfBreaksTheRunIsStillClosedAndTheEnvironmentLocked() throws Exception {
        // sessions that do not persist past their deployment show that the run's end closed them
        try (RollingFixture f = RollingFixture.start(dir, 2, "batch: 2", Map.of(), "", "", null, null,
                java.util.function.UnaryOperator.identity(), "", Map.of("greenlight.ssh.persist", "0"))) {
            f.deployed("1.0.0");
            f.hosts.unhealthyWhileRunning(2, "2.0.0");
            AdviceWith.adviceWith(f.app.context(), "rollback", a -> a.weaveById("rollback-finish").replace()
                    .throwException(new IllegalStateException("rollback bookkeeping broke")));

            JsonNode d = f.awaitEnd(f.deploy("2.0.0"));

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rollback_failed");
            assertThat(d.get("detail").asText()).contains("internal error").contains("check them, then unlock")
                    .doesNotContain("IllegalStateException");
            for (int i = 1; i <= 2; i++) {
                var server = f.hosts.ssh(i);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(server.sessionsClosed())
                        .as("every SSH session closed").isEqualTo(server.sessionsOpened()));
            }
            assertThat(f.app.get("/api/v1/environments", RollingFixture.TOKEN).body())
                    .contains("\"lockedBy\":" + d.get("id").asLong());
        }
    }

    @Test
    void whenTheRollbackBreaksWithNothingChangedTheLeaseIsFreedAndTheDispatcherWoken() throws Exception {
        // the dispatcher's timer is far away: only the end of the run can start the next deployment in time
        try (RollingFixture f = RollingFixture.start(dir, 1, "batch: 1", Map.of(), "", "", null, null,
                java.util.function.UnaryOperator.identity(), "", Map.of("greenlight.dispatch.period", "600000"))) {
            inject(f, "registry-check");
            AdviceWith.adviceWith(f.app.context(), "rollback", a -> a.weaveById("rollback-begin").replace()
                    .throwException(new IllegalStateException("rollback broke before it began")));
            long first = f.deploy("1.0.0");
            long second = f.deploy("1.0.1");

            JsonNode d = f.awaitEnd(first);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("failed");
            assertThat(d.get("detail").asText()).contains("nothing was changed");
            await().atMost(Duration.ofSeconds(30)).until(() -> !f.deployment(second).get("status").asText()
                    .equals("queued"));
            assertThat(f.awaitEnd(second).get("status").asText()).isEqualTo("failed");
        }
    }

    private static void inject(RollingFixture f, String stepId) throws Exception {
        AdviceWith.adviceWith(f.app.context(), "pipeline-rolling", a -> a.weaveById(stepId).replace()
                .throwException(new StepFailedException("injected at " + stepId)));
    }
}
