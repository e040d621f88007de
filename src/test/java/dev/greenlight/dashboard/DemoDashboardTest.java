package dev.greenlight.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.ChildGreenlight;
import dev.greenlight.testing.DemoWalkthrough;
import dev.greenlight.testing.TestGreenlight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * What a new user does first: start the demo (the service's main class in a JVM of its own, from a directory with no
 * configuration), open the dashboard it names, sign in with the token it printed, and release a good version to the
 * blue-green production environment (followed live to {@code succeeded}, its timeline drawn) and then a broken one,
 * which the watch rolls back by itself ({@code rolled_back}, with its incident report). Headless Chromium.
 */
class DemoDashboardTest {
    @TempDir
    Path dir;

    @Test
    void theDemosReleaseAndItsAutomaticRollbackWatchedOnTheDashboard() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Map<String, String> ports = Map.of("CAMEL_SERVER_PORT", String.valueOf(TestGreenlight.freePort()),
                "CAMEL_MANAGEMENT_PORT", String.valueOf(TestGreenlight.freePort()));
        try (ChildGreenlight app = ChildGreenlight.start(work, ports, List.of())) {
            DemoWalkthrough.Welcome welcome = DemoWalkthrough.awaitWelcome(app, Duration.ofSeconds(150));
            try (Dashboard dashboard = Dashboard.open(welcome.baseUrl(), dir)) {
                dashboard.signIn(welcome.token());
                dashboard.wait.until(d -> dashboard.textOf("[data-environment='shop/production'] [data-field='live-version']")
                        .equals("1.0.0"));
                dashboard.screenshot("demo-environments");

                long good = dashboard.deployFromEnvironments("shop/production", "1.1.0");
                dashboard.awaitStatus("succeeded");
                assertThat(DemoWalkthrough.deployment(welcome, good).get("status").asText()).isEqualTo("succeeded");
                assertThat(dashboard.countOf("#timeline rect.step")).isGreaterThanOrEqualTo(4);
                assertThat(dashboard.textOf("#steps")).contains("switch", "watch");
                dashboard.screenshot("demo-release-succeeded");

                long bad = dashboard.deployFromEnvironments("shop/production", "1.2.0-bad");
                dashboard.awaitStatus("rolled_back");
                assertThat(DemoWalkthrough.deployment(welcome, bad).get("status").asText()).isEqualTo("rolled_back");
                dashboard.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("incident")));
                assertThat(dashboard.textOf("#incident")).contains("1.2.0-bad", "1.1.0");
                assertThat(dashboard.countOf("#timeline rect.st-failed")).isPositive();
                dashboard.screenshot("demo-rollback");
            }
        }
    }
}
