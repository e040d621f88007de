package dev.greenlight.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlight.config.HealthSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthModelTest {

    @Test
    void onlyTwoHundredsWithoutErrorAreOk() {
        assertThat(new PathResult("http://h/health", 200, 1, null).ok()).isTrue();
        assertThat(new PathResult("http://h/health", 299, 1, null).ok()).isTrue();
        assertThat(new PathResult("http://h/health", 199, 1, null).ok()).isFalse();
        assertThat(new PathResult("http://h/health", 300, 1, null).ok()).isFalse();
        assertThat(new PathResult("http://h/health", 0, 1, "connection refused").ok()).isFalse();
    }

    @Test
    void anEmptyReportIsNotHealthy() {
        HealthReport report = new HealthReport(List.of());

        assertThat(report.healthy()).isFalse();
        assertThat(report.summary()).isEqualTo("no health paths checked");
    }

    @Test
    void summaryShowsPathAndQueryOnly() {
        HealthReport report = new HealthReport(List.of(
                new PathResult("http://10.0.0.5:8080/health?full=1", 200, 12, null),
                new PathResult("http://10.0.0.5:8080/health/errors", 0, 2000, "timed out after 2s")));

        assertThat(report.summary()).isEqualTo("/health?full=1 200 12ms, /health/errors: timed out after 2s");
    }

    @Test
    void specFillsConfigurationDefaults() {
        HealthSpec spec = new HealthSpec(" ", "http://{{host}}:8080", null, 0, null, null);

        assertThat(spec.command()).isNull();
        assertThat(spec.paths()).containsExactly("/health");
        assertThat(spec.attempts()).isEqualTo(10);
        assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void commandOnlySpecHasNoPaths() {
        HealthSpec spec = new HealthSpec("curl -fsS localhost:8080/health", null, List.of(), 5,
                Duration.ofSeconds(1), Duration.ofSeconds(1));

        assertThat(spec.url()).isNull();
        assertThat(spec.paths()).isEmpty();
    }

    @Test
    void specRejectsNonPositiveTimeout() {
        assertThatThrownBy(() -> new HealthSpec(null, "http://h", List.of("/health"), 1, null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
    }
}
