package dev.greenlight.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import org.eclipse.egit.github.core.RequestError;
import org.eclipse.egit.github.core.client.RequestException;
import org.junit.jupiter.api.Test;

class IncidentIssuesTest {
    @Test
    void githubAwayOrOverloadedIsTriedAgainARefusalOfTheRequestIsNot() {
        assertThat(IncidentIssues.retryable(new RequestException(new RequestError(), 503))).isTrue();
        assertThat(IncidentIssues.retryable(new RequestException(new RequestError(), 429))).isTrue();
        assertThat(IncidentIssues.retryable(new IllegalStateException("producer", new UncheckedIOException(
                new ConnectException("Connection refused"))))).as("wrapped, as camel wraps it").isTrue();
        assertThat(IncidentIssues.retryable(new RequestException(new RequestError(), 401))).isFalse();
        assertThat(IncidentIssues.retryable(new RequestException(new RequestError(), 422))).isFalse();
        assertThat(IncidentIssues.retryable(new IllegalArgumentException("Owner cannot be empty"))).isFalse();
    }
}
