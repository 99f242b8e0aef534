package io.courier.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * LinkedIn's Images, Videos and Documents APIs' state (linkedin-api.md §5). A medium is WAITING_UPLOAD until its
 * bytes are up (an image's or a document's one PUT; a video's every 4 MiB part, then its finalizeUpload, which must
 * name the parts' ETags in order), then PROCESSING for a configurable time, then AVAILABLE, or PROCESSING_FAILED
 * when a test asked for it. Upload URLs expire. Also the test media server's files (served at /files/{name}).
 */
final class Media {

    static final long PART_BYTES = 4L * 1024 * 1024;

    /** One medium; mutable, guarded by the Media that holds it. */
    static final class Medium {
        final String urn;
        final String kind;
        final String owner;
        final String signature = UUID.randomUUID().toString().replace("-", "");
        final String uploadToken = UUID.randomUUID().toString();
        final Instant expiresAt;
        final long[][] ranges;
        final String[] etags;
        final int[] puts;
        int finalizes;
        boolean finalized;
        Instant availableAt;
        boolean fails;

        Medium(String urn, String kind, String owner, Instant expiresAt, long[][] ranges) {
            this.urn = urn;
            this.kind = kind;
            this.owner = owner;
            this.expiresAt = expiresAt;
            this.ranges = ranges;
            this.etags = new String[ranges.length];
            this.puts = new int[ranges.length];
        }

        String status(Instant now) {
            if (availableAt == null) {
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

    private final Map<String, Medium> media = new HashMap<>();
    private final Map<String, File> files = new HashMap<>();
    final AtomicInteger initializeUploads = new AtomicInteger();
    volatile Duration processing = Duration.ZERO;
    volatile Duration uploadUrlTtl = Duration.ofHours(1);
    /** Added to each PUT of bytes (a slow upload, for tests that stop Courier in the middle of one). */
    volatile Duration putDelay = Duration.ZERO;
    /** The next uploads that LinkedIn will fail to process. */
    final AtomicInteger failNext = new AtomicInteger();

    /** A new medium: an image or document in one part; a video of {@code size} bytes in 4 MiB parts. */
    synchronized Medium initialize(String kind, String owner, long size, Instant now) {
        initializeUploads.incrementAndGet();
        String prefix = switch (kind) {
            case "video" -> "urn:li:video:C5F10AQ";
            case "document" -> "urn:li:document:D5610AQ";
            default -> "urn:li:image:D4E10AQ";
        };
        long[][] ranges;
        if (kind.equals("video")) {
            int parts = (int) Math.max(1, (size + PART_BYTES - 1) / PART_BYTES);
            ranges = new long[parts][];
            for (int i = 0; i < parts; i++) {
                ranges[i] = new long[] {i * PART_BYTES, Math.min(size, (i + 1) * PART_BYTES) - 1};
            }
        } else {
            ranges = new long[][] {{0, -1}}; // the whole file, whatever its size
        }
        Medium m = new Medium(prefix + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36), kind, owner,
                now.plus(uploadUrlTtl), ranges);
        media.put(m.urn, m);
        return m;
    }

    /** The bytes of one part: its ETag, or null with {@code status[0]} the refusal (403, or 400 for a wrong size). */
    synchronized String put(String urn, int part, String signature, long bytes, Instant now, int[] status) {
        Medium m = media.get(urn);
        if (m == null || part < 0 || part >= m.ranges.length || !m.signature.equals(signature)
                || !now.isBefore(m.expiresAt)) {
            status[0] = 403;
            return null;
        }
        long[] range = m.ranges[part];
        if (range[1] >= 0 && bytes != range[1] - range[0] + 1) {
            status[0] = 400;
            return null;
        }
        m.puts[part]++;
        m.etags[part] = "\"" + UUID.randomUUID().toString().replace("-", "") + "\"";
        if (!m.kind.equals("video")) {
            process(m, now);
        }
        status[0] = 201;
        return m.etags[part];
    }

    /** A video's finalizeUpload: null when taken, else why not. */
    synchronized String finalizeVideo(String urn, String uploadToken, List<String> partIds, Instant now) {
        Medium m = media.get(urn);
        if (m == null || !m.kind.equals("video")) {
            return "no video " + urn;
        }
        m.finalizes++;
        if (m.finalized) {
            return "video " + urn + " is already finalized";
        }
        if (!m.uploadToken.equals(uploadToken)) {
            return "uploadToken does not match";
        }
        if (!partIds.equals(Arrays.asList(m.etags))) {
            return "uploadedPartIds do not match the uploaded parts in order";
        }
        m.finalized = true;
        process(m, now);
        return null;
    }

    private void process(Medium m, Instant now) {
        m.availableAt = now.plus(processing);
        m.fails = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    synchronized Medium medium(String urn) {
        return media.get(urn);
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
        Map<String, Object> byUrn = new LinkedHashMap<>();
        media.values().forEach(m -> {
            List<Integer> puts = new ArrayList<>();
            Arrays.stream(m.puts).forEach(puts::add);
            byUrn.put(m.urn, Map.of("kind", m.kind, "owner", m.owner, "status", m.status(now), "parts",
                    m.ranges.length, "puts", puts, "finalizes", m.finalizes));
        });
        out.put("media", byUrn);
        return out;
    }

    synchronized void clear() {
        media.clear();
        files.clear();
        initializeUploads.set(0);
        failNext.set(0);
        processing = Duration.ZERO;
        uploadUrlTtl = Duration.ofHours(1);
        putDelay = Duration.ZERO;
    }
}
