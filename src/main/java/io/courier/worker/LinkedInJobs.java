package io.courier.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.auth.PermissionEpisodes;
import io.courier.job.JobControl;
import io.courier.job.JobEnvelope;
import io.courier.job.LinkedInOperation;
import io.courier.linkedin.BearerToken;
import io.courier.linkedin.ErrorClassifier;
import io.courier.linkedin.LinkedInClient;
import io.courier.linkedin.LinkedInException;
import io.courier.linkedin.Page;
import io.courier.linkedin.PostDraft;
import io.courier.media.MediaIntake;
import io.courier.media.MediaItem;
import io.courier.quota.QuotaGate;
import io.courier.retry.ErrorClass;
import io.courier.retry.Failure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.jboss.logging.Logger;

/**
 * What each job type asks of LinkedIn, and the data its result carries. LinkedIn failures propagate as the
 * client's exceptions; whether one means success (a duplicate post, CONTRACT §4) is the policy's to say.
 */
@ApplicationScoped
class LinkedInJobs {

    private static final Logger LOG = Logger.getLogger(LinkedInJobs.class);

    /** memberCreatorPostAnalytics' query types (linkedin-api.md §5): one call each, into data.metrics. */
    private static final List<String> POST_METRICS = List.of("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION",
            "COMMENT");

    /** The result of one job: what goes under "data", LinkedIn's request id, and whether it was a duplicate. */
    record JobResult(JsonNode data, Optional<String> linkedinRequestId, boolean duplicate) {}

    private final LinkedInClient linkedIn;
    private final QuotaGate quota;
    private final ObjectMapper json;
    private final int maxSyncPages;
    private final MediaSteps media;
    private final PermissionEpisodes permissions;
    private final JobControl control;
    private final PostOfJob posts;
    private final Clock clock;

    LinkedInJobs(LinkedInClient linkedIn, QuotaGate quota, ObjectMapper json, WorkerConfig config,
            MediaSteps media, PermissionEpisodes permissions, JobControl control, PostOfJob posts, Clock clock) {
        this.linkedIn = linkedIn;
        this.quota = quota;
        this.json = json;
        this.maxSyncPages = config.maxSyncPages();
        this.media = media;
        this.permissions = permissions;
        this.control = control;
        this.posts = posts;
        this.clock = clock;
    }

    /**
     * Runs the job's LinkedIn calls, each only after its budgets were debited (QuotaDeniedException if not).
     * {@code media}: the post's media items fetched and checked for this run (those not yet uploaded).
     */
    JobResult run(JobEnvelope job, MediaIntake.Fetched media, BearerToken token) {
        LinkedInOperation resource = LinkedInOperation.calledBy(job.type());
        return switch (job.type()) {
            case POST_CREATE -> createPost(job, media, token);
            case COMMENT_CREATE -> {
                String post = posts.of(job);
                quota.take(resource, job.accountId(), true);
                try {
                    var comment = linkedIn.createComment(token, post, job.text("actor", null), job.text("text", null),
                            Optional.ofNullable(job.text("parentComment", null)));
                    yield new JobResult(json.createObjectNode().put("post", post).put("commentUrn", comment.value()),
                            comment.linkedinRequestId(), false);
                } catch (LinkedInException e) {
                    if (e.error().status() != 404) {
                        throw e;
                    }
                    // LinkedIn makes a new post's activity readable seconds after its 201 (linkedin-api.md §5).
                    throw new StepFailedException(ErrorClass.POST_NOT_VISIBLE, "LinkedIn answered 404 for " + post
                            + ": a post created seconds ago is not visible yet; retried shortly, the post untouched",
                            true);
                }
            }
            case SYNC_POST_ANALYTICS -> {
                String post = posts.of(job);
                ObjectNode data = json.createObjectNode().put("post", post);
                ObjectNode metrics = data.putObject("metrics");
                Optional<String> requestId = Optional.empty();
                for (String metric : POST_METRICS) {
                    quota.take(resource, job.accountId(), false);
                    var page = linkedIn.postAnalytics(token, post, metric);
                    metrics.put(metric, page.value().elements().stream().mapToLong(e -> e.path("count").asLong())
                            .sum());
                    requestId = page.linkedinRequestId();
                }
                yield new JobResult(data, requestId, false);
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

    /** Uploads the post's media (each step once, resumed from media_upload), then creates the post. */
    private JobResult createPost(JobEnvelope job, MediaIntake.Fetched fetched, BearerToken token) {
        List<MediaItem> items = MediaItem.of(job.payload());
        String author = job.text("author", null);
        Optional<String> organization = Optional.of(author).filter(a -> a.startsWith("urn:li:organization:"));
        if (organization.isPresent() && !items.isEmpty()) {
            checkAdministrator(job, token, organization.get()); // before uploading anything for the page
        }
        List<PostDraft.Media> shown = items.isEmpty() ? List.of() : media.upload(job, items, fetched, token);
        PostDraft draft = new PostDraft(author, job.text("commentary", null), job.text("visibility", "PUBLIC"),
                shown);
        // Uploads can take minutes: a notAfter that passed meanwhile ends the job before it is published late.
        Optional<Instant> expired = job.notAfter().filter(t -> !t.isAfter(clock.instant()));
        if (expired.isPresent()) {
            throw new StepFailedException(ErrorClass.EXPIRED, "notAfter " + expired.get()
                    + " passed while the job's media were uploaded; it is not published late", true);
        }
        if (!shown.isEmpty()) {
            // The preflight asked minutes ago: a cancel or a newer version that came during the uploads stops it here.
            Optional<JobControl.Stop> stop = control.stoppedBy(job);
            if (stop.isPresent()) {
                throw new JobStoppedException(stop.get());
            }
        }
        // Debited only now: a job whose media LinkedIn is still processing does not spend the posting budget.
        quota.take(LinkedInOperation.POSTS_CREATE, job.accountId(), true);
        JobResult result;
        try {
            var created = linkedIn.createPost(token, draft);
            result = new JobResult(json.createObjectNode().put("postUrn", created.postUrn()),
                    created.linkedinRequestId(), false);
        } catch (LinkedInException e) {
            ErrorClass seen = ErrorClassifier.classify(e.error());
            if (seen == ErrorClass.PERMISSION_DENIED && organization.isPresent()) {
                permissions.lost(job.accountId(), organization.get(), e.error().message());
            }
            if (seen != ErrorClass.DUPLICATE) {
                throw e;
            }
            result = confirmDuplicate(job, token, e, shown);
        }
        organization.ifPresent(org -> endEpisode(job.accountId(), org));
        if (!shown.isEmpty()) {
            ArrayNode urns = ((ObjectNode) result.data()).putArray("media");
            shown.forEach(m -> urns.add(m.urn()));
        }
        return result;
    }

    /**
     * A step of the job found it cannot go on, now or ever, for a reason of the job's (its media still processing,
     * never ready or refused; the member no longer an administrator of the page): {@code errorClass} says which;
     * {@code attempt} whether the run counts as one (a re-check of media still processing does not).
     */
    static final class StepFailedException extends RuntimeException {
        final ErrorClass errorClass;
        final boolean attempt;

        StepFailedException(ErrorClass errorClass, String message, boolean attempt) {
            super(message);
            this.errorClass = errorClass;
            this.attempt = attempt;
        }
    }

    /** The job was cancelled or replaced while it ran, before its publishing call (not a failure: no class). */
    static final class JobStoppedException extends RuntimeException {
        final JobControl.Stop stop;

        JobStoppedException(JobControl.Stop stop) {
            super(stop.toString(), null, false, false);
            this.stop = stop;
        }
    }

    /**
     * A 422 DUPLICATE_POST (also what the retry of a create whose answer was lost meets) is the post LinkedIn
     * already has only if that post still exists: after a deletion LinkedIn keeps answering DUPLICATE_POST with the
     * deleted post's URN, which answers 404 (linkedin-api.md §2). So the success is claimed only once the post was
     * read back; a 404 (or a message naming no post) is DUPLICATE_BLOCKED, never a success. Any other failure of
     * the read propagates as itself: the retry meets the duplicate again and reads again.
     */
    private JobResult confirmDuplicate(JobEnvelope job, BearerToken token, LinkedInException duplicate,
            List<PostDraft.Media> shown) {
        String urn = duplicate.error().duplicateOf()
                .orElseThrow(() -> new DuplicateBlockedException("LinkedIn answered DUPLICATE_POST naming no post:"
                        + " nothing to check, so nothing is claimed as published", duplicate));
        quota.take(LinkedInOperation.POSTS_GET, job.accountId(), false);
        try {
            var found = linkedIn.post(token, urn);
            List<String> theirs = mediaOf(found.value());
            List<String> ours = shown.stream().map(PostDraft.Media::urn).toList();
            if (!theirs.equals(ours)) {
                throw new DuplicateBlockedException("LinkedIn answered DUPLICATE_POST with " + urn + ", a post that"
                        + " shows " + (theirs.isEmpty() ? "no media" : theirs) + " where this job's shows "
                        + (ours.isEmpty() ? "none" : ours) + ": not this job's post, so nothing was published",
                        duplicate);
            }
            return new JobResult(json.createObjectNode().put("postUrn", urn), found.linkedinRequestId(), true);
        } catch (LinkedInException e) {
            if (e.error().status() == 404 || e.error().status() == 410) {
                throw new DuplicateBlockedException("LinkedIn answered DUPLICATE_POST with " + urn + ", which answers "
                        + e.error().status() + ": LinkedIn still remembers a deleted post with the same content;"
                        + " nothing was published", e);
            }
            throw e;
        }
    }

    /**
     * The post is published: a lost-permission episode of this page ends. Best effort, and after LinkedIn's 201:
     * a database failure here must not fail the job (its re-run would post again), only delay the episode's end.
     */
    private void endEpisode(String accountId, String organization) {
        try {
            permissions.regained(accountId, organization);
        } catch (RuntimeException e) {
            LOG.warnf("could not end the permission-lost episode accountId=%s organization=%s cause=%s", accountId,
                    organization, e.getMessage());
        }
    }

    /** The organization roles that may post for a page, asked in this order until one lists it. */
    private static final List<String> POSTING_ROLES = List.of("ADMINISTRATOR", "CONTENT_ADMINISTRATOR",
            "DIRECT_SPONSORED_CONTENT_POSTER");

    /**
     * The member must hold a posting role on the page before Courier uploads anything for it (linkedin-api.md §5):
     * its approved roles, role by role, page by page up to courier.worker.max-sync-pages. Listed under none, the
     * job fails as PERMISSION_DENIED with nothing uploaded, and the episode's permission-lost event goes out. When
     * the ACLs cannot say (the grant lacks the scope to read them, or the page cap ended the reading), the check is
     * skipped: LinkedIn's own 403 on the upload or the post decides.
     */
    private void checkAdministrator(JobEnvelope job, BearerToken token, String organization) {
        for (String role : POSTING_ROLES) {
            boolean complete = false;
            for (int page = 0, start = 0; page < maxSyncPages; page++) { // ends: found, a short page, the page cap
                quota.take(LinkedInOperation.ORGANIZATION_ACLS, job.accountId(), false);
                Page acls;
                try {
                    acls = linkedIn.organizationAcls(token, role, "APPROVED", start, 100).value();
                } catch (LinkedInException e) {
                    if (e.error().status() == 403) {
                        return; // no scope to read the ACLs: LinkedIn's own answer will tell
                    }
                    throw e;
                }
                if (acls.elements().stream().anyMatch(e -> organization.equals(e.path("organization").asText()))) {
                    return;
                }
                if (acls.isLast(100)) {
                    complete = true;
                    break;
                }
                start += acls.elements().size();
            }
            if (!complete) {
                return; // the page cap ended the reading: not known, so not called lost
            }
        }
        String message = "the member holds no approved posting role (" + String.join(", ", POSTING_ROLES) + ") on "
                + organization + " (organizationAcls): nothing was uploaded or published";
        permissions.lost(job.accountId(), organization, message);
        throw new StepFailedException(ErrorClass.PERMISSION_DENIED, message, true);
    }

    /** The media URNs a post read back shows (linkedin-api.md §5: content.media or content.multiImage). */
    private static List<String> mediaOf(JsonNode post) {
        JsonNode content = post == null ? null : post.path("content");
        if (content == null || content.isMissingNode()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        if (content.has("multiImage")) {
            content.path("multiImage").path("images").forEach(i -> ids.add(i.path("id").asText()));
        } else if (content.path("media").path("id").isTextual()) {
            ids.add(content.path("media").path("id").asText());
        }
        return ids;
    }

    /** The job's content is blocked by LinkedIn's memory of a deleted post (ErrorClass.DUPLICATE_BLOCKED). */
    static final class DuplicateBlockedException extends RuntimeException {
        private final LinkedInException answer;

        DuplicateBlockedException(String message, LinkedInException answer) {
            super(message);
            this.answer = answer;
        }

        /** The failure with what LinkedIn's last answer said (status, request id), under its own class. */
        Failure failure() {
            Failure seen = ErrorClassifier.toFailure(answer);
            return new Failure(ErrorClass.DUPLICATE_BLOCKED, getMessage(), seen.httpStatus(), seen.linkedInCode(),
                    seen.serviceErrorCode(), seen.linkedinRequestId(), Optional.empty());
        }
    }

    /**
     * The result of a job whose failure the policy treats as success (a class configured with action=succeed); it
     * has no data. A duplicate post never comes here: createPost confirms it or fails it as DUPLICATE_BLOCKED.
     */
    static JobResult doneDespite(Failure failure) {
        return new JobResult(NullNode.getInstance(), failure.linkedinRequestId(), false);
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
