package dev.greenlight.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.config.Secrets;
import dev.greenlight.testing.LogCapture;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log layout configured in logback.xml masks every secret read, in messages and in stack traces. */
class LogMaskingTest {
    private static final Logger LOG = LoggerFactory.getLogger(LogMaskingTest.class);
    private static final String SECRET = "ghp_logmask0123456789abcdef";

    @Test
    void aSecretIsMaskedInTheMessageAndInEveryPartOfAStackTrace() {
        Secrets secrets = new Secrets(Map.of("GITHUB_TOKEN", SECRET)::get);
        assertThat(secrets.get("GITHUB_TOKEN", null)).hasValue(SECRET);
        IllegalStateException cause = new IllegalStateException("remote said: token " + SECRET + " rejected");
        RuntimeException failure = new RuntimeException("call with " + SECRET + " failed", cause);
        failure.addSuppressed(new IllegalArgumentException("suppressed " + SECRET));

        String logged;
        try (LogCapture log = new LogCapture()) {
            LOG.error("calling GitHub with {} failed", SECRET, failure);
            logged = log.text();
        }

        assertThat(LogCapture.configuredPattern()).contains("%maskedMsg").contains("%maskedEx");
        assertThat(logged).doesNotContain(SECRET)
                .contains("calling GitHub with *** failed")
                .contains("java.lang.RuntimeException: call with *** failed")
                .contains("Caused by: java.lang.IllegalStateException: remote said: token *** rejected")
                .contains("Suppressed: java.lang.IllegalArgumentException: suppressed ***")
                .contains("at dev.greenlight.logging.LogMaskingTest");
    }

    @Test
    void aValueNoSecretsHandedOutIsLoggedAsItIs() {
        String logged;
        try (LogCapture log = new LogCapture()) {
            LOG.warn("nothing secret: {}", "ordinary-value-42");
            logged = log.text();
        }
        assertThat(logged).contains("nothing secret: ordinary-value-42");
    }
}
