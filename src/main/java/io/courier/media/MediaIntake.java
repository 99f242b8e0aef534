package io.courier.media;

import io.courier.job.JobEnvelope;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The media step of a post job, before anything is asked of LinkedIn (no call, no token): fetch each item
 * ({@link MediaFetcher}) and check its bytes ({@link MediaInspector}). A broken rule is a {@link MediaException}
 * naming the item and the limit. The fetched files live as long as the run: {@link Fetched#close()} deletes them.
 */
@ApplicationScoped
public class MediaIntake {

    /** The name every fetched file starts with (MediaHousekeeping sweeps those a killed process left). */
    static final String FILE_PREFIX = "courier-media-";

    /** One item's bytes on disk, what they are, and how many. */
    public record Item(MediaItem item, Path file, long size, String mimeType) {}

    /**
     * The run's fetched items, and the job's upload progress as read before fetching (so the upload step does not
     * read it again); closing deletes the files.
     */
    public record Fetched(List<Item> items, Map<Integer, MediaUploads.Upload> progress) implements AutoCloseable {

        public static final Fetched NONE = new Fetched(List.of(), Map.of());

        @Override
        public void close() {
            for (Item i : items) {
                try {
                    Files.deleteIfExists(i.file());
                } catch (IOException ignored) {
                    // a temporary file left behind is removed with the pod's temporary directory
                }
            }
        }
    }

    private final MediaConfig config;
    private final MediaFetcher fetcher;
    private final MediaInspector inspector;

    MediaIntake(MediaConfig config) {
        this.config = config;
        this.fetcher = new MediaFetcher(config.allowedHosts().orElse(List.of()), config.schemes(),
                config.connectTimeout(), config.readTimeout());
        this.inspector = new MediaInspector(config.maxImagePixels(), config.maxGifFrames());
    }

    /**
     * Fetches and checks the job's media items, except those {@code progress} says LinkedIn already has from this
     * URL (an upload a retry does not repeat).
     *
     * @throws MediaException when an item breaks a rule or its server did not give it
     */
    public Fetched fetch(JobEnvelope job, Map<Integer, MediaUploads.Upload> progress) {
        List<MediaItem> items = MediaItem.of(job.payload());
        if (items.isEmpty()) {
            return Fetched.NONE;
        }
        List<Item> fetched = new ArrayList<>();
        Fetched result = new Fetched(fetched, progress);
        try {
            for (MediaItem item : items) {
                MediaUploads.Upload upload = progress.get(item.index());
                if (upload != null && upload.uploaded() && upload.url().equals(item.url())) {
                    continue; // LinkedIn has it: not fetched again
                }
                Path file = Files.createTempFile(FILE_PREFIX, ".bin");
                fetched.add(new Item(item, file, 0, null)); // listed at once, so a failure below deletes it too
                long size = fetcher.fetch(item, maxBytes(item.kind()), file);
                String mimeType = inspector.inspect(item, file).mimeType;
                fetched.set(fetched.size() - 1, new Item(item, file, size, mimeType));
            }
            return result;
        } catch (IOException e) {
            result.close();
            throw new UncheckedIOException("no temporary file for a media item", e);
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    private long maxBytes(MediaItem.Kind kind) {
        return switch (kind) {
            case IMAGE -> config.maxImageBytes();
            case VIDEO -> config.maxVideoBytes();
            case DOCUMENT -> config.maxDocumentBytes();
        };
    }
}
