package io.courier.media;

import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Where each media item of a post job stands at LinkedIn (table media_upload): initialized (its URN and upload URL),
 * uploaded, available. Written after each step succeeded, so a later run of the job continues from there.
 */
@ApplicationScoped
public class MediaUploads {

    /** One item's progress. */
    public record Upload(int item, String url, String mediaUrn, URI uploadUrl, Instant uploadUrlExpiresAt,
            Optional<Instant> uploadedAt, boolean available) {

        public boolean uploaded() {
            return uploadedAt.isPresent();
        }
    }

    private final DataSource db;

    MediaUploads(DataSource db) {
        this.db = db;
    }

    /** The job's items with progress, by index. */
    public Map<Integer, Upload> of(String accountId, String jobId) {
        String sql = "select item, url, media_urn, upload_url, upload_url_expires_at, uploaded_at, available_at"
                + " from media_upload where account_id = ? and job_id = ?";
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, accountId);
            select.setString(2, jobId);
            Map<Integer, Upload> items = new HashMap<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Timestamp uploaded = row.getTimestamp("uploaded_at");
                    items.put(row.getInt("item"), new Upload(row.getInt("item"), row.getString("url"),
                            row.getString("media_urn"), URI.create(row.getString("upload_url")),
                            row.getTimestamp("upload_url_expires_at").toInstant(),
                            Optional.ofNullable(uploaded).map(Timestamp::toInstant),
                            row.getTimestamp("available_at") != null));
                }
            }
            return items;
        } catch (SQLException e) {
            throw new DatabaseException("reading the media uploads of job " + jobId, e);
        }
    }

    /** LinkedIn gave the item an upload slot: whatever was recorded of the item before starts over. */
    public Upload initialized(String accountId, String jobId, int item, String url, String mediaUrn, URI uploadUrl,
            Instant expiresAt) {
        update("""
                insert into media_upload (account_id, job_id, item, url, media_urn, upload_url, upload_url_expires_at)
                values (?, ?, ?, ?, ?, ?, ?)
                on conflict (account_id, job_id, item) do update set url = excluded.url,
                    media_urn = excluded.media_urn, upload_url = excluded.upload_url,
                    upload_url_expires_at = excluded.upload_url_expires_at, uploaded_at = null, available_at = null,
                    updated_at = now()""", jobId, s -> {
            s.setString(1, accountId);
            s.setString(2, jobId);
            s.setInt(3, item);
            s.setString(4, url);
            s.setString(5, mediaUrn);
            s.setString(6, uploadUrl.toString());
            s.setTimestamp(7, Timestamp.from(expiresAt));
        });
        return new Upload(item, url, mediaUrn, uploadUrl, expiresAt, Optional.empty(), false);
    }

    public Upload uploaded(String accountId, String jobId, Upload upload, Instant at) {
        mark("uploaded_at", accountId, jobId, upload.item(), at);
        return new Upload(upload.item(), upload.url(), upload.mediaUrn(), upload.uploadUrl(),
                upload.uploadUrlExpiresAt(), Optional.of(at), false);
    }

    public void available(String accountId, String jobId, Upload upload, Instant at) {
        mark("available_at", accountId, jobId, upload.item(), at);
    }

    /** The item starts over at its next run (LinkedIn could not process it, or its upload URL was refused). */
    public void forget(String accountId, String jobId, int item) {
        update("delete from media_upload where account_id = ? and job_id = ? and item = ?", jobId, s -> {
            s.setString(1, accountId);
            s.setString(2, jobId);
            s.setInt(3, item);
        });
    }

    private void mark(String column, String accountId, String jobId, int item, Instant at) {
        update("update media_upload set " + column + " = ?, updated_at = now()"
                + " where account_id = ? and job_id = ? and item = ?", jobId, s -> {
                    s.setTimestamp(1, Timestamp.from(at));
                    s.setString(2, accountId);
                    s.setString(3, jobId);
                    s.setInt(4, item);
                });
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private void update(String sql, String jobId, Binder binder) {
        try (Connection c = db.getConnection(); PreparedStatement statement = c.prepareStatement(sql)) {
            binder.bind(statement);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("recording the media uploads of job " + jobId, e);
        }
    }
}
