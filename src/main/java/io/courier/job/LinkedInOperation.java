package io.courier.job;

import java.util.Arrays;
import java.util.Optional;

/**
 * Each LinkedIn operation Courier performs, declared once: the job type that performs it, its endpoint name (in
 * errors, logs and the 429 signal pods share), its daily budgets (the key under courier.quota.resources), its
 * circuit breaker, its HTTP method and path, and whether it changes anything at LinkedIn (a mutation is never
 * repeated blindly: a post relies on LinkedIn's duplicate answer; a read can be retried freely). The client's
 * breakers, the readiness list and the budgets derive from this list; LinkedInOperationsTest fails when the client,
 * the JSON schema or the configuration disagree with it (README "Adding a job type").
 */
public enum LinkedInOperation {
    // @formatter:off (one operation per entry reads as the table it is)
    POSTS_CREATE(JobType.POST_CREATE, false, "posts.create", "posts-create", Breaker.POSTS_CREATE,
            "POST", "/rest/posts", true),
    /** Whether the post a 422 DUPLICATE_POST names still exists (linkedin-api.md §2: a deleted one answers 404). */
    POSTS_GET(JobType.POST_CREATE, true, "posts.get", "posts-get", Breaker.POSTS_GET,
            "GET", "/rest/posts/{urn}", false),
    /** An image's upload slot (linkedin-api.md §5, Images API); the bytes then go to its pre-signed URL. */
    IMAGES_INITIALIZE(JobType.POST_CREATE, true, "images.initializeUpload", "images-initialize",
            Breaker.IMAGES_INITIALIZE, "POST", "/rest/images?action=initializeUpload", true),
    /** An uploaded image's status: a post may show it only once it is AVAILABLE. */
    IMAGES_GET(JobType.POST_CREATE, true, "images.get", "images-get", Breaker.IMAGES_GET,
            "GET", "/rest/images/{urn}", false),
    VIDEOS_INITIALIZE(JobType.POST_CREATE, true, "videos.initializeUpload", "videos-initialize",
            Breaker.VIDEOS_INITIALIZE, "POST", "/rest/videos?action=initializeUpload", true),
    /** The video's parts are all up: LinkedIn checks their ids, in order, and starts processing. */
    VIDEOS_FINALIZE(JobType.POST_CREATE, true, "videos.finalizeUpload", "videos-finalize", Breaker.VIDEOS_FINALIZE,
            "POST", "/rest/videos?action=finalizeUpload", true),
    VIDEOS_GET(JobType.POST_CREATE, true, "videos.get", "videos-get", Breaker.VIDEOS_GET,
            "GET", "/rest/videos/{urn}", false),
    DOCUMENTS_INITIALIZE(JobType.POST_CREATE, true, "documents.initializeUpload", "documents-initialize",
            Breaker.DOCUMENTS_INITIALIZE, "POST", "/rest/documents?action=initializeUpload", true),
    DOCUMENTS_GET(JobType.POST_CREATE, true, "documents.get", "documents-get", Breaker.DOCUMENTS_GET,
            "GET", "/rest/documents/{urn}", false),
    /** A comment (or a reply) on a post (linkedin-api.md §5, Comments). */
    COMMENTS_CREATE(JobType.COMMENT_CREATE, false, "comments.create", "comments-create", Breaker.COMMENTS_CREATE,
            "POST", "/rest/socialActions/{urn}/comments", true),
    USERINFO(JobType.SYNC_PROFILE, false, "userinfo", "userinfo", Breaker.USERINFO,
            "GET", "/v2/userinfo", false),
    POSTS_BY_AUTHOR(JobType.SYNC_POSTS, false, "posts.author", "posts-author", Breaker.POSTS_BY_AUTHOR,
            "GET", "/rest/posts", false),
    SHARE_STATISTICS(JobType.SYNC_ORG_SHARE_STATS, false, "shareStatistics", "share-statistics",
            Breaker.SHARE_STATISTICS, "GET", "/rest/organizationalEntityShareStatistics", false),
    ORGANIZATION_ACLS(JobType.SYNC_ORG_ACLS, false, "organizationAcls", "organization-acls",
            Breaker.ORGANIZATION_ACLS, "GET", "/rest/organizationAcls", false),
    /** One metric of a member's own post; a job reads all five, one call each. */
    POST_ANALYTICS(JobType.SYNC_POST_ANALYTICS, false, "memberCreatorPostAnalytics", "post-analytics",
            Breaker.POST_ANALYTICS, "GET", "/rest/memberCreatorPostAnalytics", false);
    // @formatter:on

    /** The breaker names as constants, because an annotation (@CircuitBreakerName) takes only a constant. */
    public static final class Breaker {
        public static final String POSTS_CREATE = "linkedin.posts.create";
        public static final String POSTS_GET = "linkedin.posts.get";
        public static final String IMAGES_INITIALIZE = "linkedin.images.initializeUpload";
        public static final String IMAGES_GET = "linkedin.images.get";
        public static final String VIDEOS_INITIALIZE = "linkedin.videos.initializeUpload";
        public static final String VIDEOS_FINALIZE = "linkedin.videos.finalizeUpload";
        public static final String VIDEOS_GET = "linkedin.videos.get";
        public static final String DOCUMENTS_INITIALIZE = "linkedin.documents.initializeUpload";
        public static final String DOCUMENTS_GET = "linkedin.documents.get";
        public static final String COMMENTS_CREATE = "linkedin.comments.create";
        public static final String USERINFO = "linkedin.userinfo";
        public static final String POSTS_BY_AUTHOR = "linkedin.posts.author";
        public static final String SHARE_STATISTICS = "linkedin.shareStatistics";
        public static final String ORGANIZATION_ACLS = "linkedin.organizationAcls";
        public static final String POST_ANALYTICS = "linkedin.memberCreatorPostAnalytics";

        private Breaker() {}
    }

    /** The job type whose runs make this call (a paged sync makes it once per page). */
    public final JobType jobType;
    /**
     * A call the job type makes besides its own (checking a duplicate, uploading media): not the one its README row
     * names.
     */
    public final boolean supporting;
    /** The client's endpoint name (in LinkedInException, logs and the shared 429 signal). */
    public final String endpoint;
    /** The key under courier.quota.resources. */
    public final String configKey;
    /** The SmallRye circuit breaker of this call. */
    public final String breaker;
    public final String method;
    public final String path;
    /** Whether the call changes something at LinkedIn (then a repeat must be reconciled, never assumed harmless). */
    public final boolean mutation;

    LinkedInOperation(JobType jobType, boolean supporting, String endpoint, String configKey, String breaker,
            String method, String path,
            boolean mutation) {
        this.jobType = jobType;
        this.supporting = supporting;
        this.endpoint = endpoint;
        this.configKey = configKey;
        this.breaker = breaker;
        this.method = method;
        this.path = path;
        this.mutation = mutation;
    }

    /** The operation a job type's runs call (every job type has exactly one: LinkedInOperationsTest). */
    public static LinkedInOperation calledBy(JobType type) {
        return Arrays.stream(values()).filter(op -> op.jobType == type && !op.supporting).findFirst()
                .orElseThrow(() -> new IllegalStateException("no LinkedIn operation declared for job type " + type));
    }

    public static Optional<LinkedInOperation> ofEndpoint(String endpoint) {
        return Arrays.stream(values()).filter(op -> op.endpoint.equals(endpoint)).findFirst();
    }
}
