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

    /** Form fields of the page (and of its dialog) that have no label a screen reader would announce. */
    @SuppressWarnings("unchecked")
    java.util.List<String> unlabelledFields() {
        return (java.util.List<String>) script("return [...document.querySelectorAll('input, select, textarea')]"
                + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.outerHTML);");
    }

    /**
     * The lowest contrast ratio (WCAG 2) between a status badge's or button's text and its background on the page; the
     * colours come from the computed style, backgrounds being opaque in this page's CSS.
     */
    double lowestContrast() {
        return ((Number) script("""
                const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
                const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
                    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
                const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
                let low = 21;
                for (const e of document.querySelectorAll('.badge, button')) {
                  const s = getComputedStyle(e);
                  if (s.backgroundColor === 'rgba(0, 0, 0, 0)') continue;
                  low = Math.min(low, ratio(s.color, s.backgroundColor));
                }
                return low;""")).doubleValue();
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
