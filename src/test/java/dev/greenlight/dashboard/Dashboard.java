package dev.greenlight.dashboard;

import dev.greenlight.testing.RequiredPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, skipped naming them when missing,
 * failing under CI), and what a test does with it: sign in, click, fill and confirm the dialog, read the page. Reads
 * go through the page's own DOM in one script, as the live views replace their elements while they update.
 */
final class Dashboard implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final WebDriver browser;
    final WebDriverWait wait;
    private final String baseUrl;

    private Dashboard(WebDriver browser, String baseUrl) {
        this.browser = browser;
        this.baseUrl = baseUrl;
        this.wait = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(100));
    }

    /** A browser on {@code baseUrl}'s dashboard (its profile under {@code dir}). */
    static Dashboard open(String baseUrl, Path dir) {
        Path chromium = RequiredPackage.require("chromium", "chromium");
        Path chromedriver = RequiredPackage.require("chromedriver", "chromium-driver");
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                        "--no-first-run", "--disable-extensions", "--user-data-dir=" + dir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        Dashboard d = new Dashboard(new ChromeDriver(service, options), baseUrl);
        d.go("/");
        return d;
    }

    void go(String path) {
        browser.get(baseUrl + path);
    }

    void signIn(String token) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("token")));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector("#signin button[type='submit']")).click();
    }

    void switchToken(String token) {
        click("#sign-out");
        signIn(token);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-out")));
    }

    /** Clicks what the selector finds, again when a live update replaced it in between. */
    void click(String selector) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement e = d.findElement(By.cssSelector(selector));
            if (!e.isDisplayed() || !e.isEnabled()) return false;
            e.click();
            return true;
        });
    }

    void fillDialog(String field, String value) {
        wait.until(ExpectedConditions.elementToBeClickable(By.id(field))).sendKeys(value);
        confirmDialog();
    }

    void confirmDialog() {
        click("#confirm-yes");
    }

    /** Deploys {@code version} to {@code environment} from the environments view; returns the deployment's id. */
    long deployFromEnvironments(String environment, String version) {
        go("/#/environments");
        click("[data-environment='" + environment + "'] [data-action='deploy']");
        fillDialog("field-version", version);
        wait.until(d -> browser.getCurrentUrl().matches(".*#/deployments/\\d+$"));
        return Long.parseLong(browser.getCurrentUrl().replaceAll(".*#/deployments/", ""));
    }

    void awaitStatus(String status) {
        wait.until(d -> statusOnPage().equals(status));
    }

    String statusOnPage() {
        return String.valueOf(script("const b = document.querySelector('#deployment-status .badge'); "
                + "return b ? b.dataset.status : '';"));
    }

    String textOf(String selector) {
        return String.valueOf(script("const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
                selector));
    }

    long countOf(String selector) {
        return ((Number) script("return document.querySelectorAll(arguments[0]).length;", selector)).longValue();
    }

    private Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        browser.quit();
    }
}
