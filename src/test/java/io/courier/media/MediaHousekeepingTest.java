package io.courier.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Old upload progress and fetched files a killed run left behind go; what a live job may still need stays. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class MediaHousekeepingTest {

    @Inject
    MediaHousekeeping housekeeping;
    @Inject
    DataSource db;

    @Test
    void sweepsOnlyWhatIsPastItsTime() throws Exception {
        String job = UUID.randomUUID().toString();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            for (int item = 0; item < 2; item++) {
                s.execute("""
                        insert into media_upload (account_id, job_id, item, url, size_bytes, media_urn, parts,
                            upload_url_expires_at, updated_at)
                        values ('acct-sweep', '%s', %d, 'https://cdn.example.com/x', 1, 'urn:li:image:x', '[]',
                            now(), now() - interval '%s')""".formatted(job, item, item == 0 ? "9 days" : "1 day"));
            }
        }
        Path old = Files.createTempFile(MediaIntake.FILE_PREFIX, ".bin");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        Path fresh = Files.createTempFile(MediaIntake.FILE_PREFIX, ".bin");

        housekeeping.sweep();

        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("select item from media_upload where job_id = '" + job + "'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).as("the row within courier.media.upload-retention stays").isEqualTo(1);
            assertThat(rows.next()).isFalse();
        }
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
        Files.delete(fresh);
    }
}
