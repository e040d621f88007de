package dev.greenlight.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.bluegreen.BlueGreenFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The dashboard in a real headless Chromium against the whole service: a blue-green production environment with
 * approval on real SSH hosts and colours. A release is triggered from the dashboard, refused to its own token's
 * approval with the API's words, approved by another token in the dashboard, and followed live to {@code succeeded}
 * with its timeline drawn; a bad release (its colour never turns healthy), approved elsewhere, is followed to
 * {@code rolled_back} with its incident report. (The demo's own release and rollback: {@link DemoDashboardTest}.)
 * Screenshots go to {@code target/screenshots/}.
 */
class DashboardBrowserTest {
    @TempDir
    Path dir;
    private BlueGreenFixture f;
    private Dashboard dashboard;

    @BeforeEach
    void start() throws Exception {
        f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(2, "",
                "approval: required\napproval-timeout: 1h\nwatch: { duration: 1s, interval: 200ms }\n"));
        dashboard = Dashboard.open("http://127.0.0.1:" + f.app.port(), dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (dashboard != null) dashboard.close();
        if (f != null) f.close();
    }

    @Test
    void aReleaseTriggeredApprovedAndFollowedLiveThenABadOneRolledBackWithItsIncidentReport() throws Exception {
        dashboard.signIn("not-a-token");
        WebElement refused = dashboard.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-error")));
        assertThat(refused.getText()).contains("token");
        assertThat(dashboard.unlabelledFields()).isEmpty();
        // by keyboard alone: the token field has the focus, Enter signs in
        WebElement token = dashboard.browser.switchTo().activeElement();
        assertThat(token.getAttribute("id")).isEqualTo("token");
        token.clear();
        token.sendKeys(BlueGreenFixture.TOKEN, org.openqa.selenium.Keys.ENTER);
        dashboard.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-out")));

        dashboard.wait.until(d -> dashboard.countOf("[data-environment='shop/production']") == 1);
        assertThat(dashboard.textOf("[data-environment='shop/production']")).contains("none yet", "blue-green");
        dashboard.screenshot("dashboard-environments-empty");

        // triggered from the dashboard: it opens the deployment, which waits for approval
        long id = dashboard.deployFromEnvironments("shop/production", "1.0.0");
        dashboard.awaitStatus("awaiting_approval");
        assertThat(f.status(id)).isEqualTo("awaiting_approval");
        assertThat(dashboard.lowestContrast()).as("text on badges and buttons, WCAG AA").isGreaterThanOrEqualTo(4.5);

        // the token that triggered it may not approve it: the API's refusal, verbatim, in the dialog
        dashboard.click("[data-action='approve']");
        assertThat(dashboard.unlabelledFields()).as("the dialog's fields").isEmpty();
        dashboard.confirmDialog();
        WebElement error = dashboard.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-error")));
        assertThat(f.post(id, "approve", BlueGreenFixture.TOKEN, "{}").body()).contains(error.getText());
        dashboard.click("#confirm-no");

        // another token approves; the page follows the run without a reload to its end
        dashboard.switchToken(BlueGreenFixture.ALICE);
        dashboard.go("/#/deployments/" + id);
        dashboard.click("[data-action='approve']");
        dashboard.confirmDialog();
        dashboard.awaitStatus("succeeded");
        assertThat(f.status(id)).isEqualTo("succeeded");
        List<WebElement> bars = dashboard.browser.findElements(By.cssSelector("#timeline rect.step"));
        assertThat(bars).hasSizeGreaterThanOrEqualTo(f.deployment(id).get("steps").size());
        assertThat(dashboard.browser.findElements(By.cssSelector("#timeline svg > text")).stream()
                .map(WebElement::getText)).containsAll(f.hosts.hostList());
        assertThat(dashboard.browser.findElement(By.id("steps")).getText()).contains("switch", "health");
        dashboard.screenshot("deployment-succeeded");

        // a bad release, triggered here, approved elsewhere, followed here to its rollback and incident report
        for (int i = 1; i <= 2; i++) f.write(i, "unhealthy-2.0.0-bad", "");
        long bad = dashboard.deployFromEnvironments("shop/production", "2.0.0-bad");
        dashboard.awaitStatus("awaiting_approval");
        assertThat(f.post(bad, "approve", BlueGreenFixture.BOB, "{}").statusCode()).isEqualTo(200);
        dashboard.awaitStatus("rolled_back");
        WebElement incident = dashboard.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("incident")));
        assertThat(incident.getText()).contains("2.0.0-bad").contains("1.0.0");
        assertThat(dashboard.browser.findElements(By.cssSelector("#timeline rect.st-failed"))).isNotEmpty();
        dashboard.screenshot("deployment-rolled-back");

        // the list pages back through the API's nextBefore (a page of one row here), keeping its filters
        dashboard.go("/#/deployments?app=shop&limit=1");
        dashboard.wait.until(d -> dashboard.countOf("#deployments [data-deployment='" + bad + "']") == 1);
        assertThat(dashboard.countOf("#deployments tbody tr")).isEqualTo(1);
        assertThat(dashboard.countOf("#newest")).as("the newest page links no newer one").isZero();
        dashboard.click("#older");
        dashboard.wait.until(d -> dashboard.countOf("#deployments [data-deployment='" + id + "']") == 1);
        assertThat(dashboard.countOf("#deployments tbody tr")).isEqualTo(1);
        assertThat(dashboard.textOf("#deployments caption")).contains("older than #" + bad);
        assertThat(dashboard.browser.getCurrentUrl()).contains("app=shop", "limit=1", "before=" + bad);
        dashboard.click("#newest");
        dashboard.wait.until(d -> dashboard.countOf("#deployments [data-deployment='" + bad + "']") == 1);

        // the environments view: live version and colour, the last outcome
        dashboard.go("/#/environments");
        dashboard.wait.until(d -> dashboard.textOf("[data-environment='shop/production'] [data-field='live-version']")
                .equals("1.0.0"));
        assertThat(dashboard.textOf("[data-environment='shop/production']")).contains("blue", "rolled back");
        dashboard.screenshot("dashboard-environments");

        dashboard.go("/#/metrics");
        dashboard.wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-kpi='total'] .value")));
        assertThat(dashboard.textOf("[data-kpi='total'] .value")).startsWith("2 ");
        assertThat(dashboard.countOf("svg.chart")).isGreaterThanOrEqualTo(4);
        dashboard.screenshot("dashboard-metrics");

        dashboard.go("/#/audit");
        dashboard.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("audit")));
        assertThat(dashboard.textOf("#audit")).contains("deployment.approved");
    }
}
