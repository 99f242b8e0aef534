package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.AccountFixtures;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL fails just after LinkedIn created the post: the outcome cannot be recorded. Courier must retry the
 * recording, never the post (issue #14, point 7). The failure is PostgreSQL's own: a trigger refuses the insert of
 * this job's outcome with a connection-failure SQLSTATE until the test lifts it.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class RecordingFailureTest extends PipelineTestSupport {

    @Test
    void aPostWhoseOutcomeCannotBeRecordedIsRecordedLaterAndNeverPostedTwice() throws Exception {
        Connected account = connect(simulator, "{}");
        String jobId = "pgfail-" + UUID.randomUUID();
        sql("""
                create table if not exists test_outcome_block (job_id text primary key);
                create or replace function test_block_outcome() returns trigger as $$
                begin
                  if exists (select 1 from test_outcome_block b where b.job_id = new.job_id) then
                    raise exception 'test: PostgreSQL refuses this outcome' using errcode = '08006';
                  end if;
                  return new;
                end $$ language plpgsql;
                drop trigger if exists test_block_outcome on job_outcome;
                create trigger test_block_outcome before insert on job_outcome
                  for each row execute function test_block_outcome();""");
        try {
            sql("insert into test_outcome_block values ('" + jobId + "')");
            kafka.send("linkedin.jobs.post", account.accountId(), job(jobId, "post.create", account.accountId(),
                    """
                            {"author":"%s","commentary":"recorded once %s"}""".formatted(account.memberUrn(), jobId)));
            Thread.sleep(6000);
            assertThat(AccountFixtures.calls(simulator, account, "POST", "/rest/posts")).as("posted before the failure")
                    .isEqualTo(1);
            sql("delete from test_outcome_block where job_id = '" + jobId + "'");

            JsonNode result = resultOf(jobId);
            assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(result.get("attempts").asInt()).isEqualTo(1);
            assertThat(AccountFixtures.calls(simulator, account, "POST", "/rest/posts")).as("never posted again")
                    .isEqualTo(1);
            assertThat(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null)).hasSize(1);
        } finally {
            sql("drop trigger if exists test_block_outcome on job_outcome");
        }
    }

}
