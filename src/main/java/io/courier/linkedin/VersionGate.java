package io.courier.linkedin;

/**
 * Whether LinkedIn still takes the configured LinkedIn-Version: asked before every versioned call, told of every
 * 426 NONEXISTENT_VERSION. {@link #OPEN} never refuses (a client on its own, in tests).
 */
public interface VersionGate {

    /** Throws {@link LinkedInVersionInactiveException} when the version is known to be inactive. */
    void check(String endpoint);

    /** LinkedIn answered 426 NONEXISTENT_VERSION with {@code message}. */
    void inactive(String endpoint, String message);

    VersionGate OPEN = new VersionGate() {
        public void check(String endpoint) {}

        public void inactive(String endpoint, String message) {}
    };
}
