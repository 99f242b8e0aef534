package io.courier.job;

import java.util.Arrays;
import java.util.Optional;

/** The kinds of job Courier runs; wire names are stable (CONTRACT §3). */
public enum JobType {
    POST_CREATE("post.create"), SYNC_PROFILE("sync.profile"), SYNC_POSTS("sync.posts"), SYNC_ORG_SHARE_STATS(
            "sync.org-share-stats"), SYNC_ORG_ACLS("sync.org-acls");

    private final String wireName;

    JobType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isPost() {
        return this == POST_CREATE;
    }

    public static Optional<JobType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}
