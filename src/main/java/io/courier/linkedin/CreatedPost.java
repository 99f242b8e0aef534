package io.courier.linkedin;

import java.util.Optional;

/** A post LinkedIn created: its URN (x-restli-id) and the request id of the answer. */
public record CreatedPost(String postUrn, Optional<String> linkedinRequestId) {}
