package io.courier.media;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Hourly, and a minute after start: deletes upload progress past courier.media.upload-retention, and fetched media
 * files a run left behind (a killed process deletes none of its own; an emptyDir outlives the container).
 */
@ApplicationScoped
class MediaHousekeeping {

    private static final Logger LOG = Logger.getLogger(MediaHousekeeping.class);
    /** Far longer than any run holds its files (a fetch and its uploads are bounded by minutes). */
    private static final Duration LEFT_BEHIND = Duration.ofHours(6);

    private final MediaUploads uploads;
    private final MediaConfig config;

    MediaHousekeeping(MediaUploads uploads, MediaConfig config) {
        this.uploads = uploads;
        this.config = config;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void sweep() {
        try {
            int rows = uploads.purgeOlderThan(config.uploadRetention());
            if (rows > 0) {
                LOG.infof("media upload progress older than %s deleted rows=%d", config.uploadRetention(), rows);
            }
        } catch (RuntimeException e) {
            LOG.warnf("media upload retention skipped cause=%s", e.getMessage());
        }
        int files = 0;
        Instant before = Instant.now().minus(LEFT_BEHIND);
        try (DirectoryStream<Path> left = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")),
                MediaIntake.FILE_PREFIX + "*")) {
            for (Path file : left) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(before) && Files.deleteIfExists(file)) {
                    files++;
                }
            }
        } catch (IOException e) {
            LOG.warnf("media file sweep skipped cause=%s", e.getMessage());
        }
        if (files > 0) {
            LOG.infof("fetched media files left behind deleted files=%d", files);
        }
    }
}
