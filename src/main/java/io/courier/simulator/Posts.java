package io.courier.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Stored posts, with LinkedIn's duplicate detection: same author, same commentary, within a window. */
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

    private final List<Post> posts = new ArrayList<>();

    /** The earlier post this one duplicates, or the new post. */
    synchronized Map.Entry<Post, Boolean> create(String author, String commentary, String visibility, Instant now,
                                                 Duration duplicateWindow) {
        Optional<Post> earlier = posts.stream()
                .filter(p -> p.author().equals(author) && p.commentary().equals(commentary)
                        && p.createdAt().plus(duplicateWindow).isAfter(now))
                .findFirst();
        if (earlier.isPresent()) {
            return Map.entry(earlier.get(), true);
        }
        String id = "7" + String.format("%018d", ThreadLocalRandom.current().nextLong(1_000_000_000_000_000_000L));
        Post post = new Post("urn:li:share:" + id, author, commentary, visibility, now);
        posts.add(post);
        return Map.entry(post, false);
    }

    /** Newest first, as LinkedIn lists them. */
    synchronized List<Post> byAuthor(String author) {
        return posts.stream().filter(p -> p.author().equals(author))
                .sorted(Comparator.comparing(Post::createdAt).reversed()).toList();
    }

    synchronized int count() {
        return posts.size();
    }

    synchronized void clear() {
        posts.clear();
    }
}
