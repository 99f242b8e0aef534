package io.courier.linkedin;

import java.net.URI;
import java.time.Instant;

/** An image's upload slot: its URN, where its bytes go (a pre-signed URL: no token), and until when. */
public record ImageUpload(String imageUrn, URI uploadUrl, Instant uploadUrlExpiresAt) {}
