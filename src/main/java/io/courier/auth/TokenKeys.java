package io.courier.auth;

import io.courier.auth.TokenCipher.UnreadableTokenException;
import io.courier.platform.DatabaseException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Which key seals which token rows, and moving them all to the current key. Rotation is: add the new key as current,
 * keep the old one under courier.auth.retired-keys, rekey, watch {@code courier_token_rows{key_id="old"}} reach 0,
 * remove the old key. Courier refuses to start while a row is sealed with a key it does not have: a missing key is
 * an operator's mistake to fix before the first job, not accounts to send to re-authorization one by one.
 * <p>
 * A rekey works in batches of short transactions, in account id order, from a cursor the caller hands back: it can be
 * stopped and resumed at any point and never holds a transaction over all rows. The plaintext never leaves this class.
 */
@ApplicationScoped
public class TokenKeys {

    private static final Logger LOG = Logger.getLogger(TokenKeys.class);
    private static final int BATCH = 100;

    private final DataSource db;
    private final TokenCipher cipher;
    private final MeterRegistry metrics;
    /** Rows per key id as last counted; a configured key without rows shows 0 (the gauge a rotation watches). */
    private final Map<String, Long> rows = new ConcurrentHashMap<>();

    TokenKeys(DataSource db, TokenCipher cipher, MeterRegistry metrics) {
        this.db = db;
        this.cipher = cipher;
        this.metrics = metrics;
    }

    /** After Flyway (which runs before start-up observers) and after the cipher checked its keys (priority 10). */
    void checkRowsAtStartup(@Observes @Priority(11) StartupEvent event) {
        Map<String, Long> counted = count();
        List<String> missing = counted.keySet().stream().filter(id -> !cipher.keyIds().contains(id)).sorted().toList();
        if (!missing.isEmpty()) {
            throw new ConfigurationException(missing.stream()
                    .map(id -> counted.get(id) + " token row(s) are sealed with key id '"
                            + id + "', which is neither courier.auth.token-key-id ('" + cipher.currentKeyId()
                            + "') nor configured: set courier.auth.retired-keys." + id
                            + " (env COURIER_AUTH_RETIRED_KEYS_"
                            + id.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + ") to that key")
                    .collect(Collectors.joining("; ")) + " (or reconnect those accounts after deleting their rows)");
        }
        publish(counted);
    }

    @Scheduled(every = "${courier.auth.token-rows-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refreshGauge() {
        try {
            publish(count());
        } catch (DatabaseException e) {
            LOG.debugf("token rows not counted cause=%s", e.getMessage()); // the readiness check reports PostgreSQL
        }
    }

    /** Rows per key id, every configured key included (0 when it seals none). */
    public Map<String, Long> rowsByKeyId() {
        Map<String, Long> out = new TreeMap<>();
        cipher.keyIds().forEach(id -> out.put(id, 0L));
        out.putAll(count());
        return out;
    }

    public String currentKeyId() {
        return cipher.currentKeyId();
    }

    /** One call's work: rows moved to the current key, rows no configured key opens, and where to go on. */
    public record RekeyStep(int rekeyed, List<Unreadable> unreadable, Optional<String> next) {}

    /** A row the rekey could not open: its account and key id, never its bytes. */
    public record Unreadable(String accountId, String keyId) {}

    /**
     * Re-encrypts up to {@code limit} rows not under the current key whose account id sorts after {@code after}, in
     * transactions of at most 100 rows. A row a refresh rewrote meanwhile is left alone (the refresh sealed it with
     * the current key). The version is not raised: the tokens are the same, so a refresh in flight may still store.
     */
    public RekeyStep rekey(Optional<String> after, int limit) {
        int rekeyed = 0;
        List<Unreadable> unreadable = new ArrayList<>();
        Optional<String> cursor = after;
        int seen = 0;
        while (seen < limit) {
            Batch batch = rekeyBatch(cursor, Math.min(BATCH, limit - seen));
            rekeyed += batch.rekeyed;
            unreadable.addAll(batch.unreadable);
            seen += batch.rows;
            if (batch.rows == 0) {
                cursor = Optional.empty();
                break;
            }
            cursor = Optional.of(batch.last);
        }
        publish(count());
        LOG.infof("token rows rekeyed keyId=%s rekeyed=%d unreadable=%d", cipher.currentKeyId(), rekeyed,
                unreadable.size());
        return new RekeyStep(rekeyed, unreadable, seen < limit ? Optional.empty() : cursor);
    }

    private record Batch(int rows, int rekeyed, List<Unreadable> unreadable, String last) {}

    private Batch rekeyBatch(Optional<String> after, int size) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement select = c.prepareStatement("""
                    select account_id, key_id, access_token, refresh_token, version from account_token
                    where key_id <> ? and account_id > ? order by account_id limit ? for update""");
                    PreparedStatement update = c.prepareStatement("""
                         update account_token set key_id = ?, access_token = ?, refresh_token = ?
                         where account_id = ? and key_id = ? and version = ?""")) {
                select.setString(1, cipher.currentKeyId());
                select.setString(2, after.orElse(""));
                select.setInt(3, size);
                int rows = 0;
                int rekeyed = 0;
                String last = after.orElse("");
                List<Unreadable> unreadable = new ArrayList<>();
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        rows++;
                        last = r.getString(1);
                        String keyId = r.getString(2);
                        try {
                            update.setString(1, cipher.currentKeyId());
                            update.setBytes(2, reseal(r.getBytes(3), keyId, last, TokenStore.ACCESS));
                            byte[] refresh = r.getBytes(4);
                            update.setBytes(3,
                                    refresh == null ? null : reseal(refresh, keyId, last, TokenStore.REFRESH));
                        } catch (UnreadableTokenException e) {
                            unreadable.add(new Unreadable(last, keyId));
                            LOG.warnf("token row not rekeyed: no configured key opens it accountId=%s keyId=%s", last,
                                    keyId);
                            continue;
                        }
                        update.setString(4, last);
                        update.setString(5, keyId);
                        update.setLong(6, r.getLong(5));
                        rekeyed += update.executeUpdate();
                    }
                }
                c.commit();
                return new Batch(rows, rekeyed, unreadable, last);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseException("re-encrypting token rows", e);
        }
    }

    private byte[] reseal(byte[] sealed, String keyId, String accountId, String field) {
        return cipher.encrypt(cipher.decrypt(sealed, keyId, accountId, field), accountId, field);
    }

    private Map<String, Long> count() {
        Map<String, Long> counted = new TreeMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement select = c
                        .prepareStatement("select key_id, count(*) from account_token group by key_id");
                ResultSet r = select.executeQuery()) {
            while (r.next()) {
                counted.put(r.getString(1), r.getLong(2));
            }
        } catch (SQLException e) {
            throw new DatabaseException("counting token rows by key id", e);
        }
        return counted;
    }

    /** The gauge reads {@link #rows}: every configured key id has a series, and so has every key id a row names. */
    private void publish(Map<String, Long> counted) {
        Map<String, Long> next = new TreeMap<>();
        rows.keySet().forEach(id -> next.put(id, 0L)); // a key id whose last row moved away shows 0, not its old count
        cipher.keyIds().forEach(id -> next.put(id, 0L));
        next.putAll(counted);
        next.keySet().stream().filter(id -> !rows.containsKey(id))
                .forEach(id -> Gauge.builder("courier.token.rows", rows,
                        m -> m.getOrDefault(id, 0L))
                        .description("token rows sealed with each key id: what a key is still needed for")
                        .tag("key_id", id).register(metrics));
        rows.putAll(next);
    }
}
