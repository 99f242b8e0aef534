package io.courier.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.job.JobEnvelope;
import io.courier.job.LinkedInOperation;
import io.courier.linkedin.BearerToken;
import io.courier.linkedin.LinkedInClient;
import io.courier.linkedin.LinkedInException;
import io.courier.linkedin.Page;
import io.courier.linkedin.PostDraft;
import io.courier.quota.QuotaGate;
import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * What each job type asks of LinkedIn, and the data its result carries. LinkedIn failures propagate as the
 * client's exceptions; whether one means success (a duplicate post, CONTRACT §4) is the policy's to say.
 */
@ApplicationScoped
class LinkedInJobs {

    /** The result of one job: what goes under "data", LinkedIn's request id, and whether it was a duplicate. */
    record JobResult(JsonNode data, Optional<String> linkedinRequestId, boolean duplicate) {}

    private final LinkedInClient linkedIn;
    private final QuotaGate quota;
    private final ObjectMapper json;
    private final int maxSyncPages;

    LinkedInJobs(LinkedInClient linkedIn, QuotaGate quota, ObjectMapper json, WorkerConfig config) {
        this.linkedIn = linkedIn;
        this.quota = quota;
        this.json = json;
        this.maxSyncPages = config.maxSyncPages();
    }

    /** Runs the job's LinkedIn calls, each only after its budgets were debited (QuotaDeniedException if not). */
    JobResult run(JobEnvelope job, BearerToken token) {
        LinkedInOperation resource = LinkedInOperation.calledBy(job.type());
        return switch (job.type()) {
            case POST_CREATE -> {
                quota.take(resource, job.accountId(), true);
                yield createPost(job, token);
            }
            case SYNC_PROFILE -> {
                quota.take(resource, job.accountId(), false);
                var profile = linkedIn.userinfo(token);
                yield new JobResult(profile.value(), profile.linkedinRequestId(), false);
            }
            case SYNC_POSTS -> allPages("posts", job.integer("pageSize", 50), (start) -> {
                quota.take(resource, job.accountId(), false);
                return linkedIn.postsByAuthor(token, job.text("author", null), start, job.integer("pageSize", 50));
            });
            case SYNC_ORG_SHARE_STATS -> {
                quota.take(resource, job.accountId(), false);
                var stats = linkedIn.organizationShareStatistics(token, job.text("organization", null));
                ObjectNode data = json.createObjectNode().put("organization", job.text("organization", null));
                data.set("elements", json.valueToTree(stats.value().elements()));
                yield new JobResult(data, stats.linkedinRequestId(), false);
            }
            case SYNC_ORG_ACLS -> allPages("organizationAcls", 100, (start) -> {
                quota.take(resource, job.accountId(), false);
                return linkedIn.organizationAcls(token, job.text("role", "ADMINISTRATOR"),
                        job.text("state", "APPROVED"), start, 100);
            });
        };
    }

    private JobResult createPost(JobEnvelope job, BearerToken token) {
        PostDraft draft = new PostDraft(job.text("author", null), job.text("commentary", null),
                job.text("visibility", "PUBLIC"));
        var created = linkedIn.createPost(token, draft);
        return new JobResult(json.createObjectNode().put("postUrn", created.postUrn()), created.linkedinRequestId(),
                false);
    }

    /**
     * The result of a job whose failure the policy treats as success. A duplicate post (422 DUPLICATE_POST) is the
     * post LinkedIn already has, which is what the job wanted: its URN comes from LinkedIn's message (null when the
     * message names none). Any other class configured to succeed has no data.
     */
    static JobResult doneDespite(Failure failure, RuntimeException cause) {
        if (failure.errorClass() != ErrorClass.DUPLICATE) {
            return new JobResult(NullNode.getInstance(), failure.linkedinRequestId(), false);
        }
        Optional<String> original = cause instanceof LinkedInException e ? e.error().duplicateOf() : Optional.empty();
        return new JobResult(JsonNodeFactory.instance.objectNode().put("postUrn", original.orElse(null)),
                failure.linkedinRequestId(), true);
    }

    /** Reads pages until one comes back short (linkedin-api.md §5), up to courier.worker.max-sync-pages. */
    private JobResult allPages(String field, int pageSize, IntFunction<io.courier.linkedin.Fetched<Page>> fetch) {
        ArrayNode elements = json.createArrayNode();
        Optional<String> lastRequestId = Optional.empty();
        boolean complete = false;
        int pages = 0;
        while (pages < maxSyncPages) {
            var page = fetch.apply(elements.size());
            pages++;
            lastRequestId = page.linkedinRequestId();
            page.value().elements().forEach(elements::add);
            if (page.value().isLast(pageSize)) {
                complete = true;
                break;
            }
        }
        ObjectNode data = json.createObjectNode().put("count", elements.size()).put("pages", pages).put("complete",
                complete);
        data.set(field, elements);
        return new JobResult(data, lastRequestId, false);
    }
}
