package io.courier.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.courier.linkedin.UploadSlot;
import io.courier.platform.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Where each media item of a post job stands at LinkedIn (table media_upload): its upload slot (URN, parts, token),
 * each part's ETag once it is up, uploaded (every part up, a video finalized), available. Written right after each
 * step succeeded, so a later run of the job continues from there.
 */
@ApplicationScoped
public class MediaUploads {

    /** One part of an upload and, once LinkedIn has it, its ETag. */
    public record Part(URI url, long firstByte, long lastByte, Optional<String> etag) {}

    /** One item's progress. */
    public record Upload(int item, String url, long sizeBytes, String mediaUrn, Optional<String> uploadToken,
            List<Part> parts, Instant expiresAt, Optional<Instant> uploadedAt, boolean available) {

        public boolean uploaded() {
            return uploadedAt.isPresent();
        }

        Upload withPart(int index, String etag) {
            List<Part> now = new ArrayList<>(parts);
            Part p = now.get(index);
            now.set(index, new Part(p.url(), p.firstByte(), p.lastByte(), Optional.of(etag)));
            return new Upload(item, url, sizeBytes, mediaUrn, uploadToken, now, expiresAt, uploadedAt, available);
        }
    }

    private final DataSource db;
    private final ObjectMapper json;

    MediaUploads(DataSource db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    /** The job's items with progress, by index. */
    public Map<Integer, Upload> of(String accountId, String jobId) {
        String sql = "select item, url, size_bytes, media_urn, upload_token, parts, upload_url_expires_at,"
                + " uploaded_at, available_at from media_upload where account_id = ? and job_id = ?";
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, accountId);
            select.setString(2, jobId);
            Map<Integer, Upload> items = new HashMap<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Timestamp uploaded = row.getTimestamp("uploaded_at");
                    items.put(row.getInt("item"), new Upload(row.getInt("item"), row.getString("url"),
                            row.getLong("size_bytes"), row.getString("media_urn"),
                            Optional.ofNullable(row.getString("upload_token")), parts(row.getString("parts")),
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
    public Upload initialized(String accountId, String jobId, int item, String url, long sizeBytes,
            UploadSlot slot) {
        List<Part> parts = slot.parts().stream()
                .map(p -> new Part(p.url(), p.firstByte(), p.lastByte(), Optional.empty())).toList();
        update("""
                insert into media_upload (account_id, job_id, item, url, size_bytes, media_urn, upload_token, parts,
                                          upload_url_expires_at)
                values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
                on conflict (account_id, job_id, item) do update set url = excluded.url,
                    size_bytes = excluded.size_bytes, media_urn = excluded.media_urn,
                    upload_token = excluded.upload_token, parts = excluded.parts,
                    upload_url_expires_at = excluded.upload_url_expires_at, uploaded_at = null, available_at = null,
                    updated_at = now()""", jobId, s -> {
            s.setString(1, accountId);
            s.setString(2, jobId);
            s.setInt(3, item);
            s.setString(4, url);
            s.setLong(5, sizeBytes);
            s.setString(6, slot.mediaUrn());
            s.setString(7, slot.uploadToken().orElse(null));
            s.setString(8, toJson(parts));
            s.setTimestamp(9, Timestamp.from(slot.expiresAt()));
        });
        return new Upload(item, url, sizeBytes, slot.mediaUrn(), slot.uploadToken(), parts, slot.expiresAt(),
                Optional.empty(), false);
    }

    /** One part is up: its ETag ("" when LinkedIn sent none), so that no later run sends it again. */
    public Upload partUploaded(String accountId, String jobId, Upload upload, int part, String etag) {
        update("""
                update media_upload set parts = jsonb_set(parts, array[?::text, 'etag'], to_jsonb(?::text)),
                    updated_at = now()
                where account_id = ? and job_id = ? and item = ?""", jobId, s -> {
            s.setString(1, Integer.toString(part));
            s.setString(2, etag);
            s.setString(3, accountId);
            s.setString(4, jobId);
            s.setInt(5, upload.item());
        });
        return upload.withPart(part, etag);
    }

    public Upload uploaded(String accountId, String jobId, Upload upload, Instant at) {
        mark("uploaded_at", accountId, jobId, upload.item(), at);
        return new Upload(upload.item(), upload.url(), upload.sizeBytes(), upload.mediaUrn(), upload.uploadToken(),
                upload.parts(), upload.expiresAt(), Optional.of(at), false);
    }

    public void available(String accountId, String jobId, Upload upload, Instant at) {
        mark("available_at", accountId, jobId, upload.item(), at);
    }

    /** The item starts over at its next run (LinkedIn could not process it). */
    public void forget(String accountId, String jobId, int item) {
        update("delete from media_upload where account_id = ? and job_id = ? and item = ?", jobId, s -> {
            s.setString(1, accountId);
            s.setString(2, jobId);
            s.setInt(3, item);
        });
    }

    /** Deletes the progress of items whose last step is older than {@code age}; answers how many. */
    int purgeOlderThan(java.time.Duration age) {
        try (Connection c = db.getConnection();
                PreparedStatement delete = c.prepareStatement(
                        "delete from media_upload where updated_at < now() - make_interval(secs => ?)")) {
            delete.setLong(1, age.toSeconds());
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("deleting old media uploads", e);
        }
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

    private String toJson(List<Part> parts) {
        ArrayNode array = json.createArrayNode();
        parts.forEach(p -> {
            var node = array.addObject().put("url", p.url().toString()).put("firstByte", p.firstByte())
                    .put("lastByte", p.lastByte());
            p.etag().ifPresent(e -> node.put("etag", e));
        });
        return array.toString();
    }

    private List<Part> parts(String stored) {
        try {
            List<Part> parts = new ArrayList<>();
            for (JsonNode p : json.readTree(stored)) {
                parts.add(new Part(URI.create(p.path("url").asText()), p.path("firstByte").asLong(),
                        p.path("lastByte").asLong(), Optional.ofNullable(p.path("etag").textValue())));
            }
            return parts;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("media_upload.parts is not the JSON Courier wrote", e);
        }
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
