package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A failure Courier does not classify, on every run of one record: PostgreSQL refuses to park this job (a trigger
 * raises a plain error, no outage). The record must end, as INTERNAL after a bounded number of tries, and its
 * partition must move on (issue #14, point 1).
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class UnclassifiedFailureTest extends PipelineTestSupport {

    @Test
    void aRecordThatKeepsFailingUnclassifiedIsDeadLetteredAsInternalAndTheAccountsNextJobRuns() throws Exception {
        Connected account = connect(simulator, "{}");
        String jobId = "unparkable-" + UUID.randomUUID();
        sql("""
                create or replace function test_refuse_park() returns trigger as $$
                begin
                  if new.job_id like 'unparkable-%' then
                    raise exception 'test: this job cannot be parked';
                  end if;
                  return new;
                end $$ language plpgsql;
                drop trigger if exists test_refuse_park on parked_job;
                create trigger test_refuse_park before insert on parked_job
                  for each row execute function test_refuse_park();""");
        try {
            simulator.call("POST", "/sim/members/" + account.member().get("memberId").asText() + "/revoke", null);
            kafka.send("linkedin.jobs.sync", account.accountId(),
                    job(jobId, "sync.profile", account.accountId(), "{}"));

            var dead = kafka.await("linkedin.jobs.dlq", r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT)
                    .get(0);
            assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("INTERNAL");
            assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).startsWith("5 tries: ")
                    .contains("DatabaseException").contains("this job cannot be parked");
            assertThat(resultOf(jobId).get("status").asText()).isEqualTo("DEAD_LETTERED");

            String next = "parked-" + UUID.randomUUID();
            kafka.send("linkedin.jobs.sync", account.accountId(), job(next, "sync.profile", account.accountId(), "{}"));
            awaitParked(next);
        } finally {
            sql("drop trigger if exists test_refuse_park on parked_job");
        }
    }

    /** The account's next job was read and parked: its partition moved on past the one that could not end. */
    private void awaitParked(String jobId) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = db.getConnection();
                    var select = c.prepareStatement("select 1 from parked_job where job_id = ?")) {
                select.setString(1, jobId);
                if (select.executeQuery().next()) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + " was not parked within " + WAIT);
    }

}
