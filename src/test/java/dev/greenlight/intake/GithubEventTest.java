package dev.greenlight.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.greenlight.intake.GithubEvent.Type;

class GithubEventTest {

    @ParameterizedTest
    @CsvSource({
            "push, PUSH", "Push, PUSH", "PUSH, PUSH", "' push ', PUSH",
            "release, RELEASE", "Release, RELEASE",
            "ping, PING", "PING, PING",
            "create, OTHER", "delete, OTHER", "workflow_run, OTHER", "'', OTHER", "pushes, OTHER"
    })
    void typeFromEventName(String eventName, Type expected) {
        assertThat(Type.fromEventName(eventName)).isEqualTo(expected);
    }

    @Test
    void nullEventNameIsOther() {
        assertThat(Type.fromEventName(null)).isEqualTo(Type.OTHER);
    }

    @Test
    void typeIsRequired() {
        assertThatThrownBy(() -> event(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("type");
    }

    private static GithubEvent event(Type type) {
        return new GithubEvent(type, "x", "o/r", "u", null, "main", null, null, false, false, false);
    }
}
