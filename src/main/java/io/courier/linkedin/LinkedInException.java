package io.courier.linkedin;

/** LinkedIn answered with an error. Carries the parsed answer; no stack trace (expected control flow). */
public class LinkedInException extends RuntimeException {

    private final transient LinkedInError error;
    private final String endpoint;

    public LinkedInException(String endpoint, LinkedInError error) {
        super(endpoint + ": LinkedIn answered " + error.status() + error.code().map(c -> " " + c).orElse("")
                + ": " + error.message() + error.linkedinRequestId().map(id -> " (x-li-uuid=" + id + ")").orElse(""),
                null, false, false);
        this.error = error;
        this.endpoint = endpoint;
    }

    /** The resource called, e.g. posts.create (a LinkedInOperation's endpoint name). */
    public String endpoint() {
        return endpoint;
    }

    public LinkedInError error() {
        return error;
    }
}
