package io.courier.retry;

import java.util.Locale;

/** Why a job did not succeed. Names are stable: DLQ headers, metrics and config use them (CONTRACT §4). */
public enum ErrorClass {
    INVALID_JOB, AUTH_EXPIRED, REAUTH_REQUIRED, PERMISSION_DENIED, BAD_REQUEST, DUPLICATE, RATE_LIMITED, QUOTA_EXHAUSTED, SERVER_ERROR, NETWORK, VERSION_UNSUPPORTED, APP_CREDENTIALS,
    /** A 422 DUPLICATE_POST whose post answers 404: LinkedIn still remembers a deleted post with the same content. */
    DUPLICATE_BLOCKED,
    /** An uploaded image, video or document LinkedIn is still processing: the job re-checks it later. */
    MEDIA_PROCESSING,
    /** Media still not AVAILABLE after courier.media.processing-timeout: nothing was published. */
    MEDIA_NOT_READY,
    /** LinkedIn no longer takes the configured LinkedIn-Version (426): the job waits for a newer one (no attempt). */
    VERSION_INACTIVE,
    /** The job's notAfter passed before it could run: it is not run late. */
    EXPIRED,
    /** A comment or analytics job names a post job that has not succeeded yet: it waits for it (no attempt). */
    POST_PENDING,
    /** The post job a comment or analytics job names was dead-lettered or cancelled: so is this job. */
    POST_JOB_FAILED,
    /** LinkedIn answers 404 for a post just created (its activity is not readable yet): a short delayed retry. */
    POST_NOT_VISIBLE,
    /** An exception Courier did not classify: retried a bounded number of times, then dead-lettered with its class. */
    INTERNAL;

    /** Key under courier.retry.policies, e.g. "rate-limited". */
    public String configKey() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
