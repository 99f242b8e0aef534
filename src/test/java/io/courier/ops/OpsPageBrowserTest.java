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
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The /ops page end to end in Debian's headless Chromium: token, counts, filter, the full record, dry run, then a
 * confirmed replay, and the accounts waiting for re-authorization. Keeps a screenshot (docs/ops-dead-letters.png).
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OpsPageBrowserTest extends PipelineTestSupport {

    @Inject
    DeadLetterStore store;
    @Inject
    TokenStore tokens;

    @Test
    void anOperatorFindsUnderstandsAndReplaysDeadLetters() throws Exception {
        Chromium.assumeInstalled();
        String account = "ops-page-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            kafka.send("linkedin.jobs.sync", account,
                    job("page-" + i + "-" + UUID.randomUUID(), "sync.profile", account, "{}"));
        }
        await().atMost(WAIT).until(() -> store
                .list(DeadLetterFilter.parse(null, account, null, null, null, List.of(), "NEW"), 10).size() == 3);
        Connected waiting = connect(simulator, "{}");
        tokens.markReauthRequired(waiting.accountId(), "test: revoked", Optional.empty());

        WebDriver browser = Chromium.start();
        try {
            WebDriverWait wait = Chromium.signIn(browser, RestAssured.port, AdminCallers.OPERATOR.token());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("caller"), "operator-test (operator)"));
            browser.findElement(By.cssSelector("nav .tab[data-view='dead-letters']")).click();
            assertThat(Chromium.storedAnywhere(browser)).as("the token is kept in memory only").isEmpty();
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
            Chromium.screenshot(browser, "ops-dead-letters.png");

            browser.findElement(By.id("replay")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-result"), "replayed 3"));
            assertThat(store.list(DeadLetterFilter.parse(null, account, null, null, null, List.of(), "REPLAYED"), 10))
                    .hasSize(3);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "operator-test"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "REPLAY · done"));
            assertThat(Chromium.storedAnywhere(browser)).isEmpty();

            browser.navigate().refresh(); // a reload forgets the token: the page asks again
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
            assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
        } finally {
            browser.quit();
        }
    }
}
