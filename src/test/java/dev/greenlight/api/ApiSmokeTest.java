package dev.greenlight.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiSmokeTest {
    @Test
    void startsAndAnswers() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(Path.of("examples/greenlight.yaml"), db,
                     Map.of("GREENLIGHT_TOKEN_RELEASE_BOT", "t0ken-abc"))) {
            var r = app.get("/api/v1/environments", "t0ken-abc");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"environment\":\"staging\"");
        }
    }
}
