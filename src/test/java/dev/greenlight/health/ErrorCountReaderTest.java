package dev.greenlight.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.TestHttpServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorCountReaderTest {
    private final ErrorCountReader reader = new ErrorCountReader();

    @Test
    void readsTheNumericFieldAndSaysWhyWhenItCannot() {
        try (TestHttpServer app = new TestHttpServer()) {
            app.on("/errors", TestHttpServer.status(200, "{\"errors\": 57, \"http\": {\"errors\": 3}}"));
            app.on("/text", TestHttpServer.status(200, "errors=5"));
            app.on("/down", TestHttpServer.status(503, "{\"errors\": 1}"));
            app.on("/string", TestHttpServer.status(200, "{\"errors\": \"5\"}"));
            Duration t = Duration.ofSeconds(1);

            assertThat(reader.read(app.url(), "/errors", "errors", t).count()).isEqualTo(57);
            assertThat(reader.read(app.url(), "/errors", "http.errors", t).count()).isEqualTo(3);
            ErrorCount text = reader.read(app.url(), "/text", "errors", t);
            assertThat(text.read()).isFalse();
            assertThat(text.error()).isEqualTo("the answer is not JSON");
            assertThat(reader.read(app.url(), "/down", "errors", t).error()).isEqualTo("answered 503");
            assertThat(reader.read(app.url(), "/string", "errors", t).error())
                    .isEqualTo("no non-negative number \"errors\" in the answer");
            assertThat(reader.read("http://127.0.0.1:" + TestHttpServer.closedPort(), "/errors", "errors", t).error())
                    .isEqualTo("connection refused");
        }
    }
}
