package io.courier.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The idempotency record against real PostgreSQL: successes recorded at about the same time share one insert, and
 * each caller still learns whether its row went in or which result was there first.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OutcomeStoreTest {

    @Inject
    OutcomeStore outcomes;
    @Inject
    JobControl control;

    @Test
    void manySuccessesAtOnceAreEachRecordedOnceAndTheFirstResultOfAJobWins() throws Exception {
        String account = "outcome-" + UUID.randomUUID();
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String json = "{\"n\":" + i + "}";
            String jobId = "job-" + i;
            calls.add(() -> outcomes.recordSuccess(success(jobId, account), json));
        }
        // Job "twice" is recorded by two runs at once (a rebalance moved it mid-run): one result for both.
        calls.add(() -> outcomes.recordSuccess(success("twice", account), "{\"run\":1}"));
        calls.add(() -> outcomes.recordSuccess(success("twice", account), "{\"run\":2}"));
        List<String> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<String> f : threads.invokeAll(calls)) {
                answers.add(f.get());
            }
        }
        for (int i = 0; i < 50; i++) {
            assertThat(answers.get(i)).isEqualTo("{\"n\":" + i + "}");
            assertThat(outcomes.succeededResult(account, "job-" + i)).contains("{\"n\":" + i + "}");
        }
        String stored = outcomes.succeededResult(account, "twice").orElseThrow();
        assertThat(stored).isIn("{\"run\":1}", "{\"run\":2}");
        assertThat(answers.subList(50, 52)).containsOnly(stored);
        // Recorded again later (a redelivery that ran anyway): the stored result comes back, the row stays.
        assertThat(outcomes.recordSuccess(success("job-7", account), "{\"n\":\"again\"}")).isEqualTo("{\"n\":7}");
    }

    @Test
    void theSameJobIdOfAnotherAccountIsAnotherJob() {
        String jobId = "shared-" + UUID.randomUUID();
        assertThat(outcomes.recordSuccess(success(jobId, "acct-a-" + jobId), "{\"a\":1}")).isEqualTo("{\"a\":1}");
        assertThat(outcomes.recordSuccess(success(jobId, "acct-b-" + jobId), "{\"b\":1}")).isEqualTo("{\"b\":1}");
    }

    @Test
    void aCancelIsOneOutcomeAndACallAlreadyOnItsWayStillRecordsWhatLinkedInDid() {
        String account = "cancel-" + UUID.randomUUID();
        JobControl.CancelAnswer first = control.cancel(account, "job-1");
        assertThat(first.cancelled()).isTrue();
        assertThat(first.resultJson()).contains("\"status\":\"CANCELLED\"").contains("\"accountId\":\"" + account);
        assertThat(control.cancel(account, "job-1")).as("a repeated cancel answers the same").isEqualTo(first);

        // The job had passed its check and its call was out when the cancel came: the post exists, so says the row.
        assertThat(outcomes.recordSuccess(success("job-1", account), "{\"posted\":1}")).isEqualTo("{\"posted\":1}");
        JobControl.CancelAnswer late = control.cancel(account, "job-1");
        assertThat(late.cancelled()).isFalse();
        assertThat(late.resultJson()).isEqualTo("{\"posted\":1}");
    }

    private static ResultEvent success(String jobId, String accountId) {
        return new ResultEvent(jobId, "post.create", accountId, ResultEvent.Status.SUCCEEDED, 1, Instant.now(), null,
                null, null, null, null);
    }
}
