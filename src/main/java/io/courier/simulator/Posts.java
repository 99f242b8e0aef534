package io.courier.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stored posts, with LinkedIn's duplicate detection: same author, same commentary, within a window. Indexed by
 * author and by content, so a busy simulator does not become the bottleneck it is meant to measure against.
 */
final class Posts {

    record Post(String urn, String author, String commentary, String visibility, Instant createdAt) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", urn);
            m.put("author", author);
            m.put("commentary", commentary);
            m.put("visibility", visibility);
            m.put("lifecycleState", "PUBLISHED");
            m.put("createdAt", createdAt.toEpochMilli());
            return m;
        }
    }

    private record Content(String author, String commentary) {}

    private final Map<String, List<Post>> byAuthor = new HashMap<>();
    private final Map<Content, Post> latestByContent = new HashMap<>();
    private int count;

    /** The earlier post this one duplicates (value true), or the new post (value false). */
    synchronized Map.Entry<Post, Boolean> create(String author, String commentary, String visibility, Instant now,
            Duration duplicateWindow) {
        Content content = new Content(author, commentary);
        Post earlier = latestByContent.get(content);
        if (earlier != null && earlier.createdAt().plus(duplicateWindow).isAfter(now)) {
            return Map.entry(earlier, true);
        }
        String id = "7" + String.format("%018d", ThreadLocalRandom.current().nextLong(1_000_000_000_000_000_000L));
        Post post = new Post("urn:li:share:" + id, author, commentary, visibility, now);
        byAuthor.computeIfAbsent(author, a -> new ArrayList<>()).add(post);
        latestByContent.put(content, post);
        count++;
        return Map.entry(post, false);
    }

    /** Newest first, as LinkedIn lists them. */
    synchronized List<Post> byAuthor(String author) {
        List<Post> posts = new ArrayList<>(byAuthor.getOrDefault(author, List.of()));
        java.util.Collections.reverse(posts);
        return posts;
    }

    synchronized int count() {
        return count;
    }

    synchronized void clear() {
        byAuthor.clear();
        latestByContent.clear();
        count = 0;
    }
}
