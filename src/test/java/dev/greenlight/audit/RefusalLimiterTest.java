package dev.greenlight.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.config.Secrets;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import dev.greenlight.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Refusals of unknown callers: audited one by one up to the limit, then blocked and summed up once per window. */
class RefusalLimiterTest {
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    TestDatabase db;
    HikariDataSource ds;
    AuditLog audit;
    MovableClock clock = new MovableClock();
    RefusalLimiter limiter;

    @BeforeEach
    void setUp() {
        db = TestDatabase.h2();
        ds = Database.open(db.url(), db.user(), null, null, 2);
        audit = new AuditLog(new Jdbc(ds), clock, new Secrets(name -> null));
        limiter = new RefusalLimiter(audit, clock, 3, Duration.ofMinutes(1));
    }

    @AfterEach
    void tearDown() throws Exception {
        ds.close();
        db.close();
    }

    static AuditEvent badToken() {
        return AuditEvent.of("anonymous", "api.refused", "unauthorized").detail("unknown token");
    }

    List<AuditEvent> entries() {
        return audit.list(Scope.EVERYTHING, null, null, null, Page.newest(500));
    }

    @Test
    void theFirstRefusalsAreAuditedThenTheClientIsBlockedUntilItsWindowEnds() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.admit("203.0.113.5")).isEmpty();
            limiter.refused("203.0.113.5", badToken());
        }
        assertThat(entries()).hasSize(3).allSatisfy(e -> {
            assertThat(e.source()).isEqualTo("203.0.113.5");
            assertThat(e.outcome()).isEqualTo("unauthorized");
        });

        clock.now = clock.now.plusSeconds(20);
        assertThat(limiter.admit("203.0.113.5")).hasValue(Duration.ofSeconds(40));
        limiter.refused("203.0.113.5", badToken()); // a refusal that was decided before the block was checked
        assertThat(limiter.admit("198.51.100.7")).as("another client").isEmpty();
        assertThat(entries()).as("nothing more written while blocked").hasSize(3);

        clock.now = clock.now.plusSeconds(40);
        assertThat(limiter.admit("203.0.113.5")).as("a new window").isEmpty();
        limiter.flush();
        List<AuditEvent> all = entries();
        assertThat(all).hasSize(4);
        AuditEvent summary = all.get(0);
        assertThat(summary.action()).isEqualTo(RefusalLimiter.SUMMARY_ACTION);
        assertThat(summary.outcome()).isEqualTo("rate_limited");
        assertThat(summary.source()).isEqualTo("203.0.113.5");
        assertThat(summary.detail()).startsWith("2 more refused or blocked requests from 203.0.113.5 between "
                + "2026-03-01T10:00:00Z and 2026-03-01T10:01:00Z (5 refused in all; the first 3 are audited one by one)")
                .contains("last: api.refused unauthorized: unknown token");
    }

    @Test
    void aWindowWithoutSuppressedRefusalsLeavesNoSummaryAndShutdownWritesTheOpenOnes() {
        limiter.refused("203.0.113.1", badToken());
        for (int i = 0; i < 5; i++) limiter.refused("203.0.113.2", badToken());
        clock.now = clock.now.plusSeconds(61);
        limiter.flush();
        assertThat(entries()).as("1 + 3 one by one, one summary of .2").hasSize(1 + 3 + 1)
                .filteredOn(e -> e.action().equals(RefusalLimiter.SUMMARY_ACTION)).extracting(AuditEvent::source)
                .containsExactly("203.0.113.2");

        for (int i = 0; i < 4; i++) limiter.refused("203.0.113.3", badToken());
        limiter.close(); // its window is still open: what was counted is not lost
        assertThat(entries()).filteredOn(e -> e.action().equals(RefusalLimiter.SUMMARY_ACTION))
                .extracting(AuditEvent::source).containsExactlyInAnyOrder("203.0.113.2", "203.0.113.3");
    }

    @Test
    void clientsBeyondTheTrackedNumberShareOneAllowanceOfAuditRowsButAreNeverBlockedTogether() {
        RefusalLimiter small = new RefusalLimiter(audit, clock, 2, Duration.ofMinutes(1), 2);
        small.refused("10.0.0.1", badToken());
        small.refused("10.0.0.2", badToken());
        for (int i = 3; i < 10; i++) small.refused("10.0.0." + i, badToken());

        assertThat(entries()).as("the shared allowance bounds the audit rows").hasSize(2 + 2);
        assertThat(small.admit("10.0.0.99")).as("a new address is not blocked by what others did").isEmpty();
        assertThat(small.admit("10.0.0.1")).as("a tracked client keeps its own").isEmpty();
        small.refused("10.0.0.1", badToken());
        assertThat(small.admit("10.0.0.1")).as("and is blocked past its own limit").isPresent();
        small.close();
        assertThat(entries()).filteredOn(e -> e.action().equals(RefusalLimiter.SUMMARY_ACTION))
                .extracting(AuditEvent::source).contains(RefusalLimiter.OTHERS);
    }
}
