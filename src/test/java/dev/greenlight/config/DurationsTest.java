package dev.greenlight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void aPositiveDurationIsMoreThanZero() {
        assertThat(Durations.parsePositive("1ms")).hasValue(Duration.ofMillis(1));
        assertThat(Durations.parsePositive(" 2m ")).hasValue(Duration.ofMinutes(2));
        assertThat(Durations.parse("0s")).hasValue(Duration.ZERO);
        assertThat(Durations.parsePositive("0s")).isEmpty();
        assertThat(Durations.parsePositive("0ms")).isEmpty();
        assertThat(Durations.parsePositive("ten minutes")).isEmpty();
        assertThat(Durations.parsePositive(null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0h", "60 seconds", "-1s", ""})
    void aSettingThatIsNoPositiveDurationStopsTheStartNamingIt(String text) {
        assertThatThrownBy(() -> Durations.requirePositive("greenlight.http.refusal-window", text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("greenlight.http.refusal-window: \"" + text + "\" is not a duration (examples: 500ms, 3s, 2m, 1h)");
    }

    @Test
    void aPositiveSettingIsParsed() {
        assertThat(Durations.requirePositive("greenlight.lease.ttl", "60s")).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aSettingThatZeroTurnsOffTakesZeroOrADuration() {
        assertThat(Durations.requireDurationOrZero("greenlight.ssh.persist", " 0 ", "closes them")).isZero();
        assertThat(Durations.requireDurationOrZero("greenlight.ssh.persist", "90s", "closes them"))
                .isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> Durations.requireDurationOrZero("greenlight.ssh.persist", "often", "closes them"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("greenlight.ssh.persist: \"often\" is not a duration (examples: 2s, 1m; 0 closes them)");
    }
}
