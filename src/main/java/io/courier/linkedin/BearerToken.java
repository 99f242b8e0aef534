package io.courier.linkedin;

import java.util.Objects;

/** An OAuth token in memory. Only the linkedin package can read the value; it never prints. */
public final class BearerToken {

    private final String value;

    public BearerToken(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "BearerToken[redacted]";
    }
}
