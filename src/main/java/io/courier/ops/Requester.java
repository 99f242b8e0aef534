package io.courier.ops;

import java.util.Optional;

/** Who asks for a dead-letter action: the admin token's configured name (never a self-declared header), and why. */
public record Requester(String name, Optional<String> reason) {}
