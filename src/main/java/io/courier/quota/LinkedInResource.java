package io.courier.quota;

import io.courier.job.JobType;
import java.util.Arrays;
import java.util.Optional;

/** The LinkedIn resources Courier calls, each with its own daily budgets (linkedin-api.md §4). */
public enum LinkedInResource {
    POSTS_CREATE("posts.create", "posts-create"),
    USERINFO("userinfo", "userinfo"),
    POSTS_BY_AUTHOR("posts.author", "posts-author"),
    SHARE_STATISTICS("shareStatistics", "share-statistics"),
    ORGANIZATION_ACLS("organizationAcls", "organization-acls");

    /** The client's endpoint name (in LinkedInException, breaker names and logs). */
    public final String endpoint;
    /** The key under courier.quota.resources. */
    public final String configKey;

    LinkedInResource(String endpoint, String configKey) {
        this.endpoint = endpoint;
        this.configKey = configKey;
    }

    /** The resource every call of a job type uses (a paged sync job calls it once per page). */
    public static LinkedInResource calledBy(JobType type) {
        return switch (type) {
            case POST_CREATE -> POSTS_CREATE;
            case SYNC_PROFILE -> USERINFO;
            case SYNC_POSTS -> POSTS_BY_AUTHOR;
            case SYNC_ORG_SHARE_STATS -> SHARE_STATISTICS;
            case SYNC_ORG_ACLS -> ORGANIZATION_ACLS;
        };
    }

    public static Optional<LinkedInResource> ofEndpoint(String endpoint) {
        return Arrays.stream(values()).filter(r -> r.endpoint.equals(endpoint)).findFirst();
    }
}
