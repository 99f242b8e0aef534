package io.courier.job;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of job Courier runs; wire names are stable (CONTRACT §3). */
public enum JobType {
    POST_CREATE("post.create"), COMMENT_CREATE("comment.create"), SYNC_PROFILE("sync.profile"), SYNC_POSTS(
            "sync.posts"), SYNC_ORG_SHARE_STATS("sync.org-share-stats"), SYNC_ORG_ACLS(
                    "sync.org-acls"), SYNC_POST_ANALYTICS("sync.post-analytics");

    /** Read for every job: a map, not a scan of the values. */
    private static final Map<String, JobType> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(JobType::wireName, t -> t));

    private final String wireName;

    JobType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether the job publishes something (its topic is courier.topics.post); the others read. */
    public boolean isPost() {
        return this == POST_CREATE || this == COMMENT_CREATE;
    }

    public static Optional<JobType> fromWireName(String name) {
        return Optional.ofNullable(name == null ? null : BY_WIRE_NAME.get(name));
    }
}
