package io.courier.linkedin;

import java.util.Optional;

/** A successful LinkedIn read and the x-li-uuid of its answer. */
public record Fetched<T>(T value, Optional<String> linkedinRequestId) {}
