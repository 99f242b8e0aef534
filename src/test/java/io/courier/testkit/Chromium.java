package io.courier.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Debian's headless Chromium for the browser tests (chromium + chromium-driver; no download). */
public final class Chromium {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {}

    /** Skips the test, saying why, where Chromium is not installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(installed(),
                "no Chromium here: install Debian's chromium and chromium-driver (.ci/run does) to run the /ops browser tests");
    }

    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public static WebDriver start() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1500",
                "--disable-background-networking", "--disable-component-update", "--no-first-run");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1400, 1500));
        return driver;
    }

    /** Opens the console at {@code port} and signs in with {@code token}; the wait is for the test's next steps. */
    public static WebDriverWait signIn(WebDriver browser, int port, String token) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get("http://localhost:" + port + "/ops/");
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#login-form button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        return wait;
    }

    /** Makes the viewport as tall as the page, for a screenshot of all of it (a window cannot outgrow the screen). */
    public static void viewWholePage(WebDriver browser) {
        long width = (Long) ((JavascriptExecutor) browser).executeScript("return window.innerWidth");
        long height = (Long) ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollHeight");
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    }

    /** A screenshot kept as a test artifact (target/) and as the README's picture of the page (docs/). */
    public static void screenshot(WebDriver browser, String name) throws Exception {
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        for (Path dir : new Path[] {Path.of("target"), Path.of("docs")}) {
            Files.createDirectories(dir);
            Files.copy(shot, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Everything the page left in web storage: with the token only in memory, nothing. */
    public static String storedAnywhere(WebDriver browser) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript(
                "return [sessionStorage, localStorage].map(s => Object.keys(s).map(k => k + '=' + s.getItem(k)).join(',')).join('')"));
    }
}
