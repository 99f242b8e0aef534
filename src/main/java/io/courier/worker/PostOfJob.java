package io.courier.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.job.JobEnvelope;
import io.courier.job.OutcomeStore;
import io.courier.job.ResultEvent;
import io.courier.platform.DatabaseException;
import io.courier.retry.ErrorClass;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The post a comment or analytics job is about: the URN its payload names, or the one its post job (postJobId, of
 * the same account) published. Until that job has an outcome the job waits (POST_PENDING, no attempt); a post job
 * cancelled or dead-lettered ends it (POST_JOB_FAILED, naming that job and why).
 */
@ApplicationScoped
class PostOfJob {

    // The post job's outcome (job's sub-selects) and its latest dead letter not replayed since (the dead-letter
    // index, ops's table: a replayed one may still succeed, so it is waited for).
    private static final String SQL = """
            select (%s) as status, (%s) as result,
                (select error_class || ': ' || message from dead_letter where account_id = ? and job_id = ?
                    and state in ('NEW', 'DISCARDED') order by id desc limit 1) as dead""".formatted(
            OutcomeStore.EARLIER_STATUS, OutcomeStore.EARLIER_RESULT);

    private final DataSource db;
    private final ObjectMapper json;

    PostOfJob(DataSource db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    String of(JobEnvelope job) {
        String named = job.text("post", null);
        if (named != null) {
            return named;
        }
        String postJobId = job.text("postJobId", null);
        String status;
        String result;
        String dead;
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(SQL)) {
            for (int i = 1; i <= 6; i += 2) {
                select.setString(i, job.accountId());
                select.setString(i + 1, postJobId);
            }
            try (ResultSet row = select.executeQuery()) {
                row.next();
                status = row.getString("status");
                result = row.getString("result");
                dead = row.getString("dead");
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading post job " + postJobId + " of job " + job.jobId(), e);
        }
        if (ResultEvent.Status.CANCELLED.name().equals(status)) {
            throw failed("post job " + postJobId + " was cancelled");
        }
        if (result != null) {
            String urn = postUrnIn(result);
            if (urn == null) {
                throw failed("job " + postJobId + " succeeded but published no post (not a post.create job)");
            }
            return urn;
        }
        if (dead != null) {
            throw failed("post job " + postJobId + " was dead-lettered (" + dead + ")");
        }
        throw new LinkedInJobs.StepFailedException(ErrorClass.POST_PENDING,
                "post job " + postJobId + " has not succeeded yet", false);
    }

    private String postUrnIn(String result) {
        try {
            JsonNode urn = json.readTree(result).path("data").path("postUrn");
            return urn.isTextual() ? urn.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static LinkedInJobs.StepFailedException failed(String why) {
        return new LinkedInJobs.StepFailedException(ErrorClass.POST_JOB_FAILED, why, true);
    }
}
