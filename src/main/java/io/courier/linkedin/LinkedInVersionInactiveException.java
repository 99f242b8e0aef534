package io.courier.linkedin;

/**
 * The configured LinkedIn-Version is not active any more (LinkedIn answered 426 NONEXISTENT_VERSION, here or on
 * another pod): no call is made with it until a newer LINKEDIN_VERSION is deployed. Not the job's failure.
 */
public class LinkedInVersionInactiveException extends RuntimeException {

    public LinkedInVersionInactiveException(String endpoint, String version, String linkedinMessage) {
        super(endpoint + ": LinkedIn-Version " + version + " is not active (" + linkedinMessage + "); the job waits"
                + " until a newer LINKEDIN_VERSION is deployed", null, false, false);
    }
}
