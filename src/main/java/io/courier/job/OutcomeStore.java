package io.courier.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/**
 * The idempotency record: one row per job that succeeded, holding the result event exactly as published.
 * A job seen again (redelivery, a producer retry, a replay) is not run; its stored result is re-emitted.
 */
@ApplicationScoped
public class OutcomeStore {

    private final EntityManager em;

    OutcomeStore(EntityManager em) {
        this.em = em;
    }

    /** The result JSON of an earlier success of this job id, if there was one. */
    @Transactional
    public Optional<String> succeededResult(String jobId) {
        @SuppressWarnings("unchecked")
        List<String> rows = em.createNativeQuery("select result from job_outcome where job_id = ?1")
                .setParameter(1, jobId).getResultList();
        return rows.stream().findFirst();
    }

    /**
     * Records a success. If another worker recorded this job first (a rebalance moved it mid-run), that
     * result wins and is returned, so both publish the same event.
     */
    @Transactional
    public String recordSuccess(ResultEvent event, String resultJson) {
        int inserted = em.createNativeQuery("""
                        insert into job_outcome (job_id, job_type, account_id, status, result, finished_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (job_id) do nothing""")
                .setParameter(1, event.jobId())
                .setParameter(2, event.type())
                .setParameter(3, event.accountId())
                .setParameter(4, event.status().name())
                .setParameter(5, resultJson)
                .setParameter(6, Timestamp.from(event.finishedAt()))
                .executeUpdate();
        return inserted == 1 ? resultJson : succeededResult(event.jobId()).orElse(resultJson);
    }
}
