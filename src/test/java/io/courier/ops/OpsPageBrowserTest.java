package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.auth.TokenStore;
import io.courier.testkit.AdminCallers;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The /ops page end to end in Debian's headless Chromium: token, counts, filter, the full record, dry run, then a
 * confirmed replay, and the accounts waiting for re-authorization. Keeps a screenshot (target/ops-page.png).
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OpsPageBrowserTest extends PipelineTestSupport {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Inject
    DeadLetterStore store;
    @Inject
    TokenStore tokens;

    @Test
    void anOperatorFindsUnderstandsAndReplaysDeadLetters() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no Chromium here: install Debian's chromium and chromium-driver (.ci/run does) to run the /ops browser test");
        String account = "ops-page-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            kafka.send("linkedin.jobs.sync", account,
                    job("page-" + i + "-" + UUID.randomUUID(), "sync.profile", account, "{}"));
        }
        await().atMost(WAIT).until(() -> store
                .list(DeadLetterFilter.parse(null, account, null, null, null, List.of(), "NEW"), 10).size() == 3);
        Connected waiting = connect(simulator, "{}");
        tokens.markReauthRequired(waiting.accountId(), "test: revoked", Optional.empty());

        WebDriver browser = chromium();
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            browser.get("http://localhost:" + RestAssured.port + "/ops/");
            browser.findElement(By.id("token")).sendKeys(AdminCallers.OPERATOR.token());
            browser.findElement(By.cssSelector("#login-form button")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("caller"), "operator-test (operator)"));
            assertThat(storedAnywhere(browser)).as("the token is kept in memory only").isEmpty();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("by-class"), "INVALID_JOB"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("reauth"), waiting.accountId()));

            browser.findElement(By.id("f-account")).sendKeys(account);
            browser.findElement(By.cssSelector("#filter button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("list-count"), "3 dead letter(s)"));
            browser.findElement(By.cssSelector("#list tr.pick")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail")));
            assertThat(browser.findElement(By.id("d-body")).getText()).contains("no connected account")
                    .contains(account);
            assertThat(browser.findElement(By.id("d-payload")).getText()).contains("sync.profile");

            browser.findElement(By.id("dry-run")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-report"),
                    "would replay 3 of 3 matched"));
            assertThat(store.list(DeadLetterFilter.parse(null, account, null, null, null, List.of(), "NEW"), 10))
                    .hasSize(3);
            screenshot(browser);

            browser.findElement(By.id("replay")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-result"), "replayed 3"));
            assertThat(store.list(DeadLetterFilter.parse(null, account, null, null, null, List.of(), "REPLAYED"), 10))
                    .hasSize(3);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "operator-test"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "REPLAY · done"));
            assertThat(storedAnywhere(browser)).isEmpty();

            browser.navigate().refresh(); // a reload forgets the token: the page asks again
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
            assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
        } finally {
            browser.quit();
        }
    }

    /** Everything the page left in web storage: with the token only in memory, nothing. */
    private static String storedAnywhere(WebDriver browser) {
        return String.valueOf(((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return [sessionStorage, localStorage].map(s => Object.keys(s).map(k => k + '=' + s.getItem(k)).join(',')).join('')"));
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1400, 1100));
        return driver;
    }

    /** Kept as a test artifact, and the README's picture of the page. */
    private static void screenshot(WebDriver browser) throws Exception {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("target"));
        Files.copy(shot, Path.of("target/ops-page.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
