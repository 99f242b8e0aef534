package io.courier.quota;

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

    public static Optional<LinkedInResource> ofEndpoint(String endpoint) {
        return Arrays.stream(values()).filter(r -> r.endpoint.equals(endpoint)).findFirst();
    }
}
