package io.courier.linkedin;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where an upload's bytes go, as LinkedIn's initializeUpload said (linkedin-api.md §5): the medium's URN, the parts
 * (one for an image or a document; a video over 4 MiB in 4 MiB parts), each a pre-signed URL (no token) for a byte
 * range, valid until {@code expiresAt}; a video's {@code uploadToken} for its finalizeUpload.
 */
public record UploadSlot(String mediaUrn, Optional<String> uploadToken, List<Part> parts, Instant expiresAt) {

    /** One byte range, first and last byte included. */
    public record Part(URI url, long firstByte, long lastByte) {}

    public UploadSlot {
        parts = List.copyOf(parts);
    }
}
