package io.courier.media;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where Courier may fetch a post's media from, and the limits it checks before any LinkedIn call. */
@ConfigMapping(prefix = "courier.media")
public interface MediaConfig {

    /**
     * The hosts media URLs may name: exact names ({@code cdn.example.com}), subdomain wildcards
     * ({@code *.example.com}) and IP literals. None by default, so a producer cannot make Courier fetch anything
     * until an operator says from where. A name that resolves to a private, loopback or link-local address is
     * refused unless that address is listed here too (an IP literal).
     */
    Optional<List<String>> allowedHosts();

    /** URL schemes media may use; http only where the media server is inside the trusted network (tests). */
    @WithDefault("https")
    @NotEmpty
    List<String> schemes();

    /** TCP connect timeout of a media fetch. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Whole-fetch deadline, from the request to the last byte (a slow or stalled media server ends here). */
    @WithDefault("60s")
    Duration readTimeout();

    /**
     * How long an uploaded medium may stay PROCESSING at LinkedIn: the job re-checks it through the retry tiers
     * (courier.retry.policies.media-processing) and after this ends as MEDIA_NOT_READY, nothing published.
     */
    @WithDefault("30m")
    Duration processingTimeout();

    /**
     * How long a job's upload progress (media_upload) is kept after its last step. Keep it above the longest a job
     * can wait between two runs (courier.tokens.max-park, 7 days): a job that comes back after its rows were deleted
     * uploads its media again (its post was not created yet, so nothing is published twice).
     */
    @WithDefault("8d")
    Duration uploadRetention();

    /** Most bytes of one image (Courier stops reading past it). */
    @WithDefault("20971520")
    @Min(1)
    long maxImageBytes();

    /** Most bytes of one video (LinkedIn's own limit is 500 MB). */
    @WithDefault("524288000")
    @Min(1)
    long maxVideoBytes();

    /** Most bytes of one document (LinkedIn's own limit is 100 MB). */
    @WithDefault("104857600")
    @Min(1)
    long maxDocumentBytes();

    /** Most pixels of an image (LinkedIn's limit, linkedin-api.md §7: under 36,152,320). */
    @WithDefault("36152319")
    @Min(1)
    long maxImagePixels();

    /** Most frames of an animated GIF (LinkedIn's limit: 250). */
    @WithDefault("250")
    @Min(1)
    int maxGifFrames();
}
