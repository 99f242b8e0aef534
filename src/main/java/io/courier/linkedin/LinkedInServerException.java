package io.courier.linkedin;

/**
 * A 5xx from LinkedIn: LinkedIn, not the request, is failing. Circuit breakers count these (a 400 is not an outage).
 */
public final class LinkedInServerException extends LinkedInException {

    public LinkedInServerException(String endpoint, LinkedInError error) {
        super(endpoint, error);
    }
}
