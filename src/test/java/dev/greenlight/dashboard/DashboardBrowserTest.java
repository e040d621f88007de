package dev.greenlight.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.bluegreen.BlueGreenFixture;
import dev.greenlight.testing.RequiredPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver) against the whole service: a
 * blue-green production environment with approval on real SSH hosts and colours. A release is triggered from the
 * dashboard, refused to its own token's approval with the API's words, approved by another token, and followed live
 * to {@code succeeded} with its timeline drawn; a bad release (its colour never turns healthy) is followed to
 * {@code rolled_back} with its incident report. Screenshots go to {@code target/screenshots/}.
 */
class DashboardBrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    Path dir;
    private BlueGreenFixture f;
    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void start() throws IOException {
        Path chromium = RequiredPackage.require("chromium", "chromium");
        Path chromedriver = RequiredPackage.require("chromedriver", "chromium-driver");
        f = BlueGreenFixture.start(dir, new BlueGreenFixture.Setup(2, "",
                "approval: required\napproval-timeout: 1h\nwatch: { duration: 1s, interval: 200ms }\n"));
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                        "--no-first-run", "--disable-extensions", "--user-data-dir=" + dir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(100));
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) browser.quit();
        if (f != null) f.close();
    }

    @Test
    void aReleaseTriggeredApprovedAndFollowedLiveThenABadOneRolledBackWithItsIncidentReport() throws Exception {
        browser.get("http://127.0.0.1:" + f.app.port() + "/");
        signIn("not-a-token");
        WebElement refused = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-error")));
        assertThat(refused.getText()).contains("token");
        signIn(BlueGreenFixture.TOKEN);

        wait.until(d -> countOf("[data-environment='shop/production']") == 1);
        assertThat(textOf("[data-environment='shop/production']")).contains("none yet", "blue-green");
        screenshot("dashboard-environments-empty");

        // trigger from the dashboard: it opens the deployment, which waits for approval
        click("[data-environment='shop/production'] [data-action='deploy']");
        fillDialog("field-version", "1.0.0");
        wait.until(d -> statusOnPage().equals("awaiting_approval"));
        long id = Long.parseLong(browser.getCurrentUrl().replaceAll(".*#/deployments/", ""));
        assertThat(f.status(id)).isEqualTo("awaiting_approval");

        // the token that triggered it may not approve it: the API's refusal, verbatim, in the dialog
        click("[data-action='approve']");
        confirmDialog();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-error")));
        String refusal = f.post(id, "approve", BlueGreenFixture.TOKEN, "{}").body();
        assertThat(refusal).contains(error.getText());
        browser.findElement(By.id("confirm-no")).click();

        // another token approves; the page follows the run without a reload to its end
        switchToken(BlueGreenFixture.ALICE);
        browser.get("http://127.0.0.1:" + f.app.port() + "/#/deployments/" + id);
        click("[data-action='approve']");
        confirmDialog();
        wait.until(d -> statusOnPage().equals("succeeded"));
        assertThat(f.status(id)).isEqualTo("succeeded");
        List<WebElement> bars = browser.findElements(By.cssSelector("#timeline rect.step"));
        assertThat(bars).hasSizeGreaterThanOrEqualTo(f.deployment(id).get("steps").size());
        assertThat(browser.findElements(By.cssSelector("#timeline svg > text")).stream().map(WebElement::getText))
                .containsAll(f.hosts.hostList());
        assertThat(browser.findElement(By.id("steps")).getText()).contains("switch", "health");
        screenshot("deployment-succeeded");

        // a bad release, triggered here, approved elsewhere, followed here to its rollback and incident report
        for (int i = 1; i <= 2; i++) f.write(i, "unhealthy-2.0.0-bad", "");
        browser.get("http://127.0.0.1:" + f.app.port() + "/#/environments");
        click("[data-environment='shop/production'] [data-action='deploy']");
        fillDialog("field-version", "2.0.0-bad");
        wait.until(d -> statusOnPage().equals("awaiting_approval"));
        long bad = Long.parseLong(browser.getCurrentUrl().replaceAll(".*#/deployments/", ""));
        assertThat(f.post(bad, "approve", BlueGreenFixture.BOB, "{}").statusCode()).isEqualTo(200);
        wait.until(d -> statusOnPage().equals("rolled_back"));
        WebElement incident = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("incident")));
        assertThat(incident.getText()).contains("2.0.0-bad").contains("1.0.0");
        assertThat(browser.findElements(By.cssSelector("#timeline rect.st-failed"))).isNotEmpty();
        screenshot("deployment-rolled-back");

        // the environments view: live version and colour, the last outcome
        browser.get("http://127.0.0.1:" + f.app.port() + "/#/environments");
        wait.until(d -> textOf("[data-environment='shop/production'] [data-field='live-version']").equals("1.0.0"));
        assertThat(textOf("[data-environment='shop/production']")).contains("blue", "rolled back");
        screenshot("dashboard-environments");

        browser.get("http://127.0.0.1:" + f.app.port() + "/#/metrics");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-kpi='total'] .value")));
        assertThat(browser.findElement(By.cssSelector("[data-kpi='total'] .value")).getText()).startsWith("2 ");
        assertThat(browser.findElements(By.cssSelector("svg.chart"))).hasSizeGreaterThanOrEqualTo(4);
        screenshot("dashboard-metrics");

        browser.get("http://127.0.0.1:" + f.app.port() + "/#/audit");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("audit")));
        assertThat(browser.findElement(By.id("audit")).getText()).contains("deployment.approved");
    }

    /** Clicks what the selector finds, again when a live update replaced it in between. */
    private void click(String selector) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement e = d.findElement(By.cssSelector(selector));
            if (!e.isDisplayed() || !e.isEnabled()) return false;
            e.click();
            return true;
        });
    }

    private void signIn(String token) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("token")));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector("#signin button[type='submit']")).click();
    }

    private void switchToken(String token) {
        wait.until(ExpectedConditions.elementToBeClickable(By.id("sign-out"))).click();
        signIn(token);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-out")));
    }

    private void fillDialog(String field, String value) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id(field)));
        input.sendKeys(value);
        confirmDialog();
    }

    private void confirmDialog() {
        wait.until(ExpectedConditions.elementToBeClickable(By.id("confirm-yes"))).click();
    }

    /** Read in the page in one go: the live view replaces its elements every second. */
    private String statusOnPage() {
        Object status = ((JavascriptExecutor) browser).executeScript(
                "const b = document.querySelector('#deployment-status .badge'); return b ? b.dataset.status : '';");
        return String.valueOf(status);
    }

    private String textOf(String selector) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector));
    }

    private long countOf(String selector) {
        return ((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelectorAll(arguments[0]).length;", selector)).longValue();
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SCREENSHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
