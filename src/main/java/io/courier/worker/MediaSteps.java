package io.courier.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.job.JobEnvelope;
import io.courier.job.LinkedInOperation;
import io.courier.linkedin.BearerToken;
import io.courier.linkedin.LinkedInClient;
import io.courier.linkedin.LinkedInException;
import io.courier.linkedin.PostDraft;
import io.courier.linkedin.UploadSlot;
import io.courier.media.MediaConfig;
import io.courier.media.MediaIntake;
import io.courier.media.MediaItem;
import io.courier.media.MediaUploads;
import io.courier.media.MediaUploads.Upload;
import io.courier.quota.QuotaGate;
import io.courier.retry.ErrorClass;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A media post's uploads (linkedin-api.md §5), each step once, resumed from what {@link MediaUploads} recorded
 * (read with the fetch, {@link MediaIntake.Fetched#progress()}):
 * initializeUpload → PUT of each part (a video's 4 MiB parts in order, each ETag kept) → a video's finalizeUpload →
 * the status, until every item is AVAILABLE. Each call is debited from its own budget first.
 */
@ApplicationScoped
class MediaSteps {

    /** How an upload to a pre-signed URL is named in errors and logs (it is not a LinkedIn API operation). */
    static final String UPLOAD_ENDPOINT = "media.upload";

    private final LinkedInClient linkedIn;
    private final QuotaGate quota;
    private final MediaUploads uploads;
    private final Duration processingTimeout;
    private final Clock clock;

    MediaSteps(LinkedInClient linkedIn, QuotaGate quota, MediaUploads uploads, MediaConfig config, Clock clock) {
        this.linkedIn = linkedIn;
        this.quota = quota;
        this.uploads = uploads;
        this.processingTimeout = config.processingTimeout();
        this.clock = clock;
    }

    /**
     * The post's media, every item AVAILABLE at LinkedIn, in the producer's order. Otherwise a StepFailedException:
     * still processing (re-checked later through the tiers, no thread waits), not ready once
     * courier.media.processing-timeout has passed since the upload, or LinkedIn could not process an item (which
     * then starts over if the job is replayed).
     */
    List<PostDraft.Media> upload(JobEnvelope job, List<MediaItem> items, MediaIntake.Fetched fetched,
            BearerToken token) {
        Map<Integer, Upload> progress = fetched.progress();
        List<PostDraft.Media> media = new ArrayList<>();
        List<String> processing = new ArrayList<>();
        Instant oldestUpload = null;
        for (MediaItem item : items) {
            Upload upload = progress.get(item.index());
            MediaIntake.Item bytes = fetched.items().stream().filter(i -> i.item().index() == item.index())
                    .findFirst().orElse(null);
            if (upload != null && (!upload.url().equals(item.url())
                    || bytes != null && bytes.size() != upload.sizeBytes())) {
                upload = null; // other media (a replaced job) or other bytes at the URL: the item starts over
            }
            if (upload == null || !upload.uploaded()) {
                if (bytes == null) {
                    throw new IllegalStateException(item.field() + " was not fetched for this run");
                }
                upload = send(job, item, upload, bytes, token);
            }
            if (!upload.available()) {
                JsonNode state = status(job.accountId(), item.kind(), token, upload.mediaUrn());
                String status = state.path("status").asText("");
                switch (status) {
                    case "AVAILABLE" -> uploads.available(job.accountId(), job.jobId(), upload, clock.instant());
                    case "PROCESSING_FAILED" -> {
                        uploads.forget(job.accountId(), job.jobId(), item.index());
                        String reason = state.path("processingFailureReason").asText("");
                        throw new LinkedInJobs.StepFailedException(ErrorClass.BAD_REQUEST, item.field() + " ("
                                + upload.mediaUrn() + "): LinkedIn could not process it (PROCESSING_FAILED"
                                + (reason.isEmpty() ? "" : ": " + reason) + "); nothing was published", true);
                    }
                    default -> {
                        processing.add(item.field() + " " + upload.mediaUrn() + " " + status);
                        Instant at = upload.uploadedAt().orElseThrow();
                        oldestUpload = oldestUpload == null || at.isBefore(oldestUpload) ? at : oldestUpload;
                    }
                }
            }
            media.add(new PostDraft.Media(upload.mediaUrn(), item.altText(), item.title()));
        }
        if (!processing.isEmpty()) {
            Duration waited = Duration.between(oldestUpload, clock.instant());
            if (waited.compareTo(processingTimeout) >= 0) {
                // A replay of the dead letter starts these items over, rather than meeting the same deadline.
                items.stream().filter(i -> processing.stream().anyMatch(p -> p.startsWith(i.field() + " ")))
                        .forEach(i -> uploads.forget(job.accountId(), job.jobId(), i.index()));
                throw new LinkedInJobs.StepFailedException(ErrorClass.MEDIA_NOT_READY, "media not ready after "
                        + waited.toMinutes() + " min (courier.media.processing-timeout=" + processingTimeout
                        + "), nothing published: " + String.join(", ", processing), true);
            }
            throw new LinkedInJobs.StepFailedException(ErrorClass.MEDIA_PROCESSING,
                    "LinkedIn is still processing " + String.join(", ", processing), false);
        }
        return media;
    }

    /**
     * The item's bytes to LinkedIn: a new upload slot unless {@code upload} holds one whose URLs still work, then
     * each part not yet up (its ETag recorded at once), then a video's finalizeUpload. A refused PUT (an upload URL
     * LinkedIn no longer takes) starts the item over once in this run; refused again, the refusal is the job's.
     */
    private Upload send(JobEnvelope job, MediaItem item, Upload upload, MediaIntake.Item bytes, BearerToken token) {
        for (int slot = 0;; slot++) { // ends: every part up, or a refusal on the second slot
            boolean pending = upload == null || upload.parts().stream().anyMatch(p -> p.etag().isEmpty());
            if (upload == null || slot > 0 || pending && !upload.expiresAt().isAfter(clock.instant())) {
                upload = uploads.initialized(job.accountId(), job.jobId(), item.index(), item.url(), bytes.size(),
                        initialize(job.accountId(), item.kind(), token, job.text("author", null), bytes.size()));
            }
            try {
                for (int p = 0; p < upload.parts().size(); p++) {
                    MediaUploads.Part part = upload.parts().get(p);
                    if (part.etag().isPresent()) {
                        continue; // LinkedIn has this part: never sent again
                    }
                    String etag = linkedIn.upload(UPLOAD_ENDPOINT, part.url(), bytes.file(), part.firstByte(),
                            part.lastByte(), bytes.mimeType()).orElse("");
                    upload = uploads.partUploaded(job.accountId(), job.jobId(), upload, p, etag);
                }
            } catch (LinkedInException refused) {
                int status = refused.error().status();
                if (status >= 500 || status == 429) {
                    throw refused; // the upload host's trouble: retried like LinkedIn's
                }
                if (slot > 0) {
                    // Not a token or permission answer of LinkedIn's API (the URL is the credential): the item's.
                    uploads.forget(job.accountId(), job.jobId(), item.index());
                    throw new LinkedInJobs.StepFailedException(ErrorClass.BAD_REQUEST, item.field()
                            + ": LinkedIn refused its upload with " + status + " on a fresh upload URL too;"
                            + " nothing was published", true);
                }
                continue;
            }
            if (item.kind() == MediaItem.Kind.VIDEO) {
                finalizeVideo(job, upload, token);
            }
            return uploads.uploaded(job.accountId(), job.jobId(), upload, clock.instant());
        }
    }

    /**
     * finalizeUpload with the parts' ETags in order. Refused, the video may have been finalized by a run whose
     * record of it was lost (a crash right after LinkedIn's answer): a video no longer WAITING_UPLOAD was, and is not
     * finalized again.
     */
    private void finalizeVideo(JobEnvelope job, Upload upload, BearerToken token) {
        List<String> etags = upload.parts().stream().map(p -> p.etag().orElseThrow()).toList();
        quota.take(LinkedInOperation.VIDEOS_FINALIZE, job.accountId(), false);
        try {
            linkedIn.finalizeVideoUpload(token, upload.mediaUrn(), upload.uploadToken().orElse(""), etags);
        } catch (LinkedInException refused) {
            int status = refused.error().status();
            if (status >= 500 || status == 429 || status == 401) {
                throw refused;
            }
            String state = status(job.accountId(), MediaItem.Kind.VIDEO, token, upload.mediaUrn()).path("status")
                    .asText("");
            if (state.isEmpty() || state.equals("WAITING_UPLOAD")) {
                throw refused;
            }
        }
    }

    private UploadSlot initialize(String accountId, MediaItem.Kind kind, BearerToken token, String owner,
            long size) {
        return switch (kind) {
            case IMAGE -> {
                quota.take(LinkedInOperation.IMAGES_INITIALIZE, accountId, false);
                yield linkedIn.initializeImageUpload(token, owner, size);
            }
            case VIDEO -> {
                quota.take(LinkedInOperation.VIDEOS_INITIALIZE, accountId, false);
                yield linkedIn.initializeVideoUpload(token, owner, size);
            }
            case DOCUMENT -> {
                quota.take(LinkedInOperation.DOCUMENTS_INITIALIZE, accountId, false);
                yield linkedIn.initializeDocumentUpload(token, owner, size);
            }
        };
    }

    private JsonNode status(String accountId, MediaItem.Kind kind, BearerToken token, String urn) {
        return switch (kind) {
            case IMAGE -> {
                quota.take(LinkedInOperation.IMAGES_GET, accountId, false);
                yield linkedIn.image(token, urn).value();
            }
            case VIDEO -> {
                quota.take(LinkedInOperation.VIDEOS_GET, accountId, false);
                yield linkedIn.video(token, urn).value();
            }
            case DOCUMENT -> {
                quota.take(LinkedInOperation.DOCUMENTS_GET, accountId, false);
                yield linkedIn.document(token, urn).value();
            }
        };
    }
}
