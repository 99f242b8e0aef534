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

    /** {@code media}: the URNs of the images (or video, or document) it shows, in order. */
    record Post(String urn, String author, String commentary, String visibility, List<String> media,
            Instant createdAt) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", urn);
            m.put("author", author);
            m.put("commentary", commentary);
            m.put("visibility", visibility);
            m.put("media", media); // the simulator's own shortcut for tests; "content" is LinkedIn's shape
            if (media.size() == 1) {
                m.put("content", Map.of("media", Map.of("id", media.get(0))));
            } else if (media.size() > 1) {
                m.put("content", Map.of("multiImage", Map.of("images",
                        media.stream().map(id -> Map.of("id", id)).toList())));
            }
            m.put("lifecycleState", "PUBLISHED");
            m.put("createdAt", createdAt.toEpochMilli());
            return m;
        }
    }

    private record Content(String author, String commentary, List<String> media) {}

    private final Map<String, List<Post>> byAuthor = new HashMap<>();
    private final Map<String, Post> byUrn = new HashMap<>();
    private final Map<Content, Post> latestByContent = new HashMap<>();
    private int count;
    /** Whether the media take part in "same content" (LinkedIn does not say; PUT /sim/duplicates). */
    volatile boolean duplicatesByMedia = true;

    /** The earlier post this one duplicates (value true), or the new post (value false). */
    synchronized Map.Entry<Post, Boolean> create(String author, String commentary, String visibility,
            List<String> media, Instant now, Duration duplicateWindow) {
        Content content = new Content(author, commentary, duplicatesByMedia ? media : List.of());
        Post earlier = latestByContent.get(content);
        if (earlier != null && earlier.createdAt().plus(duplicateWindow).isAfter(now)) {
            return Map.entry(earlier, true);
        }
        String id = "7" + String.format("%018d", ThreadLocalRandom.current().nextLong(1_000_000_000_000_000_000L));
        Post post = new Post("urn:li:share:" + id, author, commentary, visibility, List.copyOf(media), now);
        byAuthor.computeIfAbsent(author, a -> new ArrayList<>()).add(post);
        byUrn.put(post.urn(), post);
        latestByContent.put(content, post);
        count++;
        return Map.entry(post, false);
    }

    synchronized Post byUrn(String urn) {
        return byUrn.get(urn);
    }

    /**
     * Deletes a post. Its content stays in the duplicate index: within the duplicate window LinkedIn keeps
     * answering DUPLICATE_POST with the deleted post's URN, which answers 404 (linkedin-api.md §2, ghost duplicates).
     */
    synchronized boolean delete(String urn) {
        Post post = byUrn.remove(urn);
        if (post == null) {
            return false;
        }
        byAuthor.get(post.author()).remove(post);
        return true;
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
        byUrn.clear();
        duplicatesByMedia = true;
        latestByContent.clear();
        count = 0;
    }
}
