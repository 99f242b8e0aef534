package io.courier.linkedin;

/** No answer from LinkedIn: timeout, reset, refused. Names the endpoint, never the URL (it may hold a token). */
public final class LinkedInUnreachableException extends RuntimeException {

    public enum Kind { TIMEOUT, RESET, REFUSED, IO }

    private final Kind kind;

    public LinkedInUnreachableException(String endpoint, Kind kind, String detail) {
        super(endpoint + ": no answer from LinkedIn (" + kind + (detail == null ? "" : ": " + detail) + ")",
                null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
