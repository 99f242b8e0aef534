package io.courier.linkedin;

/** No answer from LinkedIn: timeout, reset, refused. Names the endpoint, never the URL (it may hold a token). */
public final class LinkedInUnreachableException extends RuntimeException {

    public enum Kind {
        TIMEOUT, RESET, REFUSED, IO
    }

    private final Kind kind;
    private final String endpoint;

    public LinkedInUnreachableException(String endpoint, Kind kind, String detail) {
        super(endpoint + ": no answer from LinkedIn (" + kind + (detail == null ? "" : ": " + detail) + ")",
                null, false, false);
        this.kind = kind;
        this.endpoint = endpoint;
    }

    /** The resource called, e.g. posts.create. */
    public String endpoint() {
        return endpoint;
    }

    public Kind kind() {
        return kind;
    }
}
