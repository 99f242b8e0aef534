package io.courier.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Comments on posts (linkedin-api.md §5). Right after a post is created its activity may not be readable yet, so a
 * comment on it answers 404 for {@link #visibleAfter} (PUT /sim/comments; 0 by default).
 */
final class Comments {

    record Comment(String urn, String post, String actor, String text, String parentComment, Instant createdAt) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", urn);
            m.put("object", post);
            m.put("actor", actor);
            m.put("text", text);
            if (parentComment != null) {
                m.put("parentComment", parentComment);
            }
            m.put("createdAt", createdAt.toEpochMilli());
            return m;
        }
    }

    private final Map<String, List<Comment>> byPost = new HashMap<>();
    private long next = 1;
    volatile Duration visibleAfter = Duration.ZERO;

    synchronized Comment add(String post, String actor, String text, String parentComment, Instant now) {
        String activity = "urn:li:activity:" + post.substring(post.lastIndexOf(':') + 1);
        Comment comment = new Comment("urn:li:comment:(" + activity + "," + next++ + ")", post, actor, text,
                parentComment, now);
        byPost.computeIfAbsent(post, p -> new ArrayList<>()).add(comment);
        return comment;
    }

    synchronized List<Comment> on(String post) {
        return List.copyOf(byPost.getOrDefault(post, List.of()));
    }

    synchronized boolean exists(String post, String urn) {
        return on(post).stream().anyMatch(c -> c.urn().equals(urn));
    }

    synchronized void clear() {
        byPost.clear();
        visibleAfter = Duration.ZERO;
    }
}
