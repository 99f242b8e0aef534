package io.courier.linkedin;

import java.util.List;
import java.util.Optional;

/**
 * What a post.create job asks LinkedIn to publish; commentary is plain text (the client escapes it). {@code media}:
 * the uploaded media the post shows, AVAILABLE at LinkedIn, all of one kind (none for a text post).
 */
public record PostDraft(String author, String commentary, String visibility, List<Media> media) {

    /** One uploaded medium: its URN and what the post says of it. */
    public record Media(String urn, Optional<String> altText, Optional<String> title) {}

    public PostDraft {
        media = List.copyOf(media);
    }

    /** A text post. */
    public PostDraft(String author, String commentary, String visibility) {
        this(author, commentary, visibility, List.of());
    }
}
