package io.courier.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * LinkedIn's Images API state (linkedin-api.md §5): an image is WAITING_UPLOAD until its bytes are PUT to its
 * pre-signed URL (which expires), then PROCESSING for a configurable time, then AVAILABLE, or PROCESSING_FAILED when
 * a test asked for it. Also the test media server's files (served at /files/{name}).
 */
final class Media {

    record Image(String urn, String owner, String signature, Instant uploadUrlExpiresAt, long bytes,
            Instant availableAt, boolean fails) {

        String status(Instant now) {
            if (bytes < 0) {
                return "WAITING_UPLOAD";
            }
            if (fails) {
                return "PROCESSING_FAILED";
            }
            return now.isBefore(availableAt) ? "PROCESSING" : "AVAILABLE";
        }
    }

    /** A file of the media server: its bytes and content type, or a redirect elsewhere. */
    record File(byte[] bytes, String contentType, String redirectTo) {}

    private final Map<String, Image> images = new HashMap<>();
    private final Map<String, File> files = new HashMap<>();
    final AtomicInteger initializeUploads = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();
    volatile Duration processing = Duration.ZERO;
    volatile Duration uploadUrlTtl = Duration.ofHours(1);
    /** The next uploads that LinkedIn will fail to process. */
    final AtomicInteger failNext = new AtomicInteger();

    synchronized Image initialize(String owner, Instant now) {
        initializeUploads.incrementAndGet();
        String urn = "urn:li:image:D4E10AQ" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        Image image = new Image(urn, owner, UUID.randomUUID().toString().replace("-", ""), now.plus(uploadUrlTtl), -1,
                null, false);
        images.put(urn, image);
        return image;
    }

    /** The bytes of an upload: 201, or 403 for an unknown image, a wrong signature or an expired URL. */
    synchronized int put(String urn, String signature, long bytes, Instant now) {
        Image image = images.get(urn);
        if (image == null || !image.signature().equals(signature) || !now.isBefore(image.uploadUrlExpiresAt())) {
            return 403;
        }
        puts.incrementAndGet();
        boolean fails = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        images.put(urn, new Image(urn, image.owner(), signature, image.uploadUrlExpiresAt(), bytes,
                now.plus(processing), fails));
        return 201;
    }

    synchronized Image image(String urn) {
        return images.get(urn);
    }

    synchronized void putFile(String name, File file) {
        files.put(name, file);
    }

    synchronized File file(String name) {
        return files.get(name);
    }

    synchronized Map<String, Object> describe(Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("initializeUploads", initializeUploads.get());
        out.put("puts", puts.get());
        Map<String, Object> byUrn = new LinkedHashMap<>();
        images.values().forEach(i -> byUrn.put(i.urn(), Map.of("owner", i.owner(), "status", i.status(now),
                "bytes", i.bytes())));
        out.put("images", byUrn);
        return out;
    }

    synchronized void clear() {
        images.clear();
        files.clear();
        initializeUploads.set(0);
        puts.set(0);
        failNext.set(0);
        processing = Duration.ZERO;
        uploadUrlTtl = Duration.ofHours(1);
    }
}
