package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.auth.TokenStore;
import io.courier.testkit.AdminCallers;
import io.courier.testkit.Chromium;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The ops console as an operator uses it, in Debian's headless Chromium: the overview (outcomes, lag, LinkedIn,
 * budgets), pausing an account and resuming it from the page (its job waits, then runs), the accounts waiting for
 * re-authorization with their reason, an account's jobs and one job's story (a scheduled job's due time, a retried
 * job's attempts and last class), cancelling them; the
 * admin-only connect link is not shown to an operator. Keeps docs/ops-overview.png, ops-accounts.png, ops-jobs.png.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OpsConsoleBrowserTest extends PipelineTestSupport {

    @Inject
    TokenStore tokens;

    @AfterEach
    void resumeEverything() throws Exception {
        sql("delete from job_pause");
        simulator.clearFaults();
    }

    @Test
    void anOperatorSeesTheSystemPausesAnAccountFollowsAJobAndCancelsAScheduledOne() throws Exception {
        Chromium.assumeInstalled();
        Connected account = connect(simulator, "{}");
        String done = post(account, "seen from the console", null);
        assertThat(resultOf(done).get("status").asText()).isEqualTo("SUCCEEDED");
        Connected revoked = connect(simulator, "{}");
        tokens.markReauthRequired(revoked.accountId(), "test: the member revoked the app", Optional.empty());

        WebDriver browser = Chromium.start();
        try {
            WebDriverWait wait = Chromium.signIn(browser, RestAssured.port, AdminCallers.OPERATOR.token());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("o-outcomes"), "post.create"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("o-lag"), "linkedin.jobs.post"));
            assertThat(browser.findElement(By.id("o-version")).getText()).contains("ok");
            assertThat(browser.findElement(By.id("o-budgets")).getText()).contains("posts.create");
            assertThat(browser.findElement(By.id("o-breakers")).getText()).contains("circuits closed");

            // Pause the account from the page: its next job waits; resume it from the page: the job runs.
            browser.findElement(By.id("p-value")).sendKeys(account.accountId());
            browser.findElement(By.cssSelector("#pause-form button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("o-pauses"), account.accountId()));
            String waiting = post(account, "waits while paused", null);
            Thread.sleep(2500);
            assertThat(kafka.readAll("linkedin.jobs.results", Duration.ofMillis(500)).stream()
                    .map(KafkaTestClient::text).filter(v -> v.contains(waiting))).isEmpty();
            Chromium.screenshot(browser, "ops-overview.png");
            browser.findElement(By.cssSelector("#o-pauses button.resume")).click();
            wait.until(ExpectedConditions.not(
                    ExpectedConditions.textToBePresentInElementLocated(By.id("o-pauses"), account.accountId())));
            assertThat(resultOf(waiting).get("status").asText()).isEqualTo("SUCCEEDED");

            // Accounts: who waits for re-authorization and why; an operator is not offered connect links.
            browser.findElement(By.cssSelector("nav .tab[data-view='accounts']")).click();
            browser.findElement(By.cssSelector("#a-form button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accounts"), revoked.accountId()));
            assertThat(browser.findElement(By.id("accounts")).getText()).contains("the member revoked the app");
            assertThat(browser.findElement(By.id("link-form")).isDisplayed()).as("connect links are admin-only")
                    .isFalse();
            Chromium.screenshot(browser, "ops-accounts.png");

            // Jobs: an account's latest, one job's outcome; a scheduled job cancelled from the page.
            new Select(browser.findElement(By.id("a-status"))).selectByVisibleText("CONNECTED");
            browser.findElement(By.cssSelector("#a-form button")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#accounts button.jobs[data-account='" + account.accountId() + "']"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("j-body"), done));
            browser.findElement(By.cssSelector("#j-body tr.pick[data-id='" + done + "']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("j-status"), "SUCCEEDED"));

            Instant notBefore = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
            String later = post(account, "scheduled for later", notBefore);
            awaitWaiting(account, later);
            find(browser, later);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("j-status"), "not finished"));
            assertThat(browser.findElement(By.id("j-waits")).getText()).isEqualTo("SCHEDULED");
            assertThat(Instant.parse(browser.findElement(By.id("j-due")).getText())).isEqualTo(notBefore);
            browser.findElement(By.id("j-cancel")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("j-status"), "CANCELLED"));
            assertThat(resultOf(later).get("status").asText()).isEqualTo("CANCELLED");

            // A retried job: its attempts, its last failure's class and when it comes back; cancelled too.
            simulator.fault("""
                    {"method":"POST","path":"/rest/posts","status":429,"headers":{"Retry-After":"120"},"times":1}""");
            Instant sent = Instant.now();
            String retried = post(account, "throttled once", null);
            awaitWaiting(account, retried);
            find(browser, retried);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("j-waits"), "RETRY"));
            assertThat(browser.findElement(By.id("j-attempts")).getText()).isEqualTo("1");
            assertThat(browser.findElement(By.id("j-class")).getText()).isEqualTo("RATE_LIMITED");
            assertThat(Instant.parse(browser.findElement(By.id("j-due")).getText()))
                    .isAfter(sent.plus(Duration.ofSeconds(110))).isBefore(Instant.now().plus(Duration.ofSeconds(125)));
            Chromium.screenshot(browser, "ops-jobs.png");
            browser.findElement(By.id("j-cancel")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("j-status"), "CANCELLED"));
            assertThat(Chromium.storedAnywhere(browser)).isEmpty();
        } finally {
            browser.quit();
        }
    }

    /** Until the job's wait is on record (its record went through the worker). */
    private static void awaitWaiting(Connected account, String jobId) {
        await().atMost(WAIT).until(() -> RestAssured.given().auth().oauth2(AdminCallers.VIEWER.token())
                .get("/admin/jobs/" + account.accountId() + "/" + jobId).jsonPath()
                .getString("version.waitsFor") != null);
    }

    private static void find(WebDriver browser, String jobId) {
        browser.findElement(By.id("j-id")).clear();
        browser.findElement(By.id("j-id")).sendKeys(jobId);
        browser.findElement(By.cssSelector("#j-form button")).click();
    }

    private String post(Connected account, String text, Instant notBefore) {
        String jobId = UUID.randomUUID().toString();
        String body = job(jobId, "post.create", account.accountId(), """
                {"author":"%s","commentary":"%s %s"}""".formatted(account.memberUrn(), text, jobId));
        if (notBefore != null) {
            body = body.replaceFirst("\\{", "{\"notBefore\":\"" + notBefore + "\",");
        }
        kafka.send("linkedin.jobs.post", account.accountId(), body);
        return jobId;
    }
}
