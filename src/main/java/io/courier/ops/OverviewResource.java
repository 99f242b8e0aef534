package io.courier.ops;

import io.courier.job.LinkedInOperation;
import io.courier.job.Pauses;
import io.courier.job.TopicsConfig;
import io.courier.linkedin.Breakers;
import io.courier.linkedin.LinkedInVersion;
import io.courier.platform.AdminRole;
import io.courier.platform.DatabaseException;
import io.courier.platform.KafkaClients;
import io.courier.quota.QuotaConfig;
import io.courier.quota.QuotaLimiter;
import io.courier.retry.RetryRouter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The ops console's front page in one call: the last hour's outcomes and dead letters (PostgreSQL, every pod's),
 * records not yet consumed per job topic and tier (Kafka, every pod's), this pod's circuit breakers, the
 * LinkedIn-Version's status, the application's budgets with the members that used most of them, and the pauses. A part
 * whose source does not answer within
 * its time is reported as unavailable, not as zero.
 */
@Path("/admin/overview")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AdminRole.VIEWER_NAME)
public class OverviewResource {

    private static final Duration KAFKA_WAIT = Duration.ofSeconds(3);
    private static final Duration FRESH = Duration.ofSeconds(1);
    private static final int TOP_MEMBERS = 3;
    private volatile Cached cached;

    private final DataSource db;
    private final Admin admin;
    private final KafkaClients clients;
    private final TopicsConfig topics;
    private final RetryRouter router;
    private final Breakers breakers;
    private final LinkedInVersion version;
    private final QuotaLimiter limiter;
    private final QuotaConfig quota;
    private final Pauses pauses;
    private final Clock clock;

    OverviewResource(DataSource db, Admin admin, KafkaClients clients, TopicsConfig topics, RetryRouter router,
            Breakers breakers, LinkedInVersion version, QuotaLimiter limiter, QuotaConfig quota, Pauses pauses,
            Clock clock) {
        this.db = db;
        this.admin = admin;
        this.clients = clients;
        this.topics = topics;
        this.router = router;
        this.breakers = breakers;
        this.version = version;
        this.limiter = limiter;
        this.quota = quota;
        this.pauses = pauses;
        this.clock = clock;
    }

    @Operation(summary = "The system at a glance, for the ops console's overview", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "lastHour, deadLettersLastHour, lag, breakers, version,"
            + " budgets, pauses; a part that could not be read is {\"unavailable\": why}")
    @GET
    public Map<String, Object> overview() {
        // Every open console asks every 5 s: within a second they share one reading.
        Cached last = cached;
        if (last != null && Duration.between(last.at(), clock.instant()).compareTo(FRESH) < 0) {
            return last.value();
        }
        Map<String, Object> fresh = read();
        cached = new Cached(clock.instant(), fresh);
        return fresh;
    }

    private record Cached(java.time.Instant at, Map<String, Object> value) {}

    private Map<String, Object> read() {
        Timestamp hourAgo = Timestamp.from(clock.instant().minus(Duration.ofHours(1)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", clock.instant().toString());
        out.put("lastHour", counted("select job_type, status, count(*) from job_outcome where finished_at > ?"
                + " group by job_type, status", hourAgo));
        out.put("deadLettersLastHour", counted("select job_type, error_class, count(*) from dead_letter"
                + " where dead_at > ? group by job_type, error_class", hourAgo));
        out.put("lag", lag());
        out.put("breakers", breakers.states());
        out.put("version", Map.of("version", version.version(), "status", version.status()));
        List<Map<String, Object>> budgets = new ArrayList<>();
        for (LinkedInOperation op : LinkedInOperation.values()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("resource", op.endpoint);
            b.put("appDaily", quota.budgetOf(op).appDaily());
            b.put("memberDaily", quota.budgetOf(op).memberDaily());
            b.put("appRemaining", limiter.appRemaining(op).orElse(null));
            b.put("topMembers", limiter.topMembers(op, TOP_MEMBERS));
            budgets.add(b);
        }
        out.put("budgets", budgets);
        try {
            out.put("pauses", pauses.list());
        } catch (DatabaseException e) {
            out.put("pauses", Map.of("unavailable", e.getMessage()));
        }
        return out;
    }

    /** {group: {kind: count}} of a two-column grouping, or {"unavailable": why}. */
    private Object counted(String sql, Timestamp since) {
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            q.setTimestamp(1, since);
            q.setQueryTimeout(5);
            Map<String, Map<String, Long>> out = new TreeMap<>();
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    String group = rows.getString(1) == null ? "invalid" : rows.getString(1);
                    out.computeIfAbsent(group, k -> new TreeMap<>()).put(rows.getString(2), rows.getLong(3));
                }
            }
            return out;
        } catch (SQLException e) {
            return Map.of("unavailable", new DatabaseException("could not count", e).getMessage());
        }
    }

    /**
     * Records not yet consumed per topic: the end offsets minus the groups' committed offsets, summed (a transaction
     * marker can make an idle partition count 1). All the Kafka calls share one deadline, so a broker that does not
     * answer costs the page {@link #KAFKA_WAIT}, not once per call.
     */
    private Object lag() {
        long deadline = System.nanoTime() + KAFKA_WAIT.toNanos();
        try {
            Map<String, Long> out = new TreeMap<>();
            lagOf(clients.groupId(""), List.of(topics.post(), topics.sync()), out, deadline);
            lagOf(clients.groupId("-retries"), router.tierTopics(), out, deadline);
            return out;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Map.of("unavailable", "Kafka did not answer within " + KAFKA_WAIT + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("unavailable", "interrupted");
        }
    }

    private Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets(List<TopicPartition> partitions,
            OffsetSpec spec, long deadline) throws java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException, InterruptedException {
        return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> spec))).all()
                .get(left(deadline), TimeUnit.NANOSECONDS);
    }

    private static long left(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private void lagOf(String group, Collection<String> topicNames, Map<String, Long> out, long deadline)
            throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException,
            InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(left(deadline), TimeUnit.NANOSECONDS);
        List<TopicPartition> partitions = admin.describeTopics(topicNames).allTopicNames()
                .get(left(deadline), TimeUnit.NANOSECONDS).values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .toList();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = offsets(partitions, OffsetSpec.latest(),
                deadline);
        // A partition the group has not committed yet is read from its start, which retention may have moved.
        List<TopicPartition> unread = partitions.stream().filter(p -> committed.get(p) == null).toList();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = unread.isEmpty()
                ? Map.of()
                : offsets(unread, OffsetSpec.earliest(), deadline);
        for (TopicPartition p : partitions) {
            OffsetAndMetadata done = committed.get(p);
            long from = done != null ? done.offset() : starts.get(p).offset();
            out.merge(p.topic(), Math.max(0, ends.get(p).offset() - from), Long::sum);
        }
    }
}
