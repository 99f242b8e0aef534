package io.courier.worker;

import static io.courier.testkit.AccountFixtures.calls;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** Budgets in the pipeline: LinkedIn's 429s steer every pod, and a denied job waits without costing an attempt. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class QuotaFlowTest extends PipelineTestSupport {

    @Inject
    RedissonClient redisson;
    @ConfigProperty(name = "courier.quota.key-prefix")
    String prefix;
    @ConfigProperty(name = "courier.redis.url")
    String redisUrl;
    @ConfigProperty(name = "courier.redis.database")
    int redisDatabase;

    /** A job due at the next window waits in the tier its delay falls into: 1h, or shorter near midnight UTC. */
    private static final List<String> LONG_TIERS = List.of("linkedin.jobs.retry.1s", "linkedin.jobs.retry.10s",
            "linkedin.jobs.retry.1m", "linkedin.jobs.retry.10m", "linkedin.jobs.retry.1h");

    @Test
    void linkedInsDayLimitStopsFurtherCallsUntilTheWindowEnds() throws Exception {
        Instant midnight = nextUtcMidnight(); // before the jobs: a run across midnight still compares with their window
        Connected first = connect(simulator, "{}");
        Connected second = connect(simulator, "{}");
        simulator.call("PUT", "/sim/quotas", """
                {"resources":{"shareStatistics":{"app":0}}}""");
        try {
            String one = UUID.randomUUID().toString();
            kafka.send("linkedin.jobs.sync", first.accountId(), statsJob(one, first));
            var delayedOne = kafka.await(LONG_TIERS, r -> KafkaTestClient.text(r).contains(one), 1, WAIT).getFirst();
            assertThat(KafkaTestClient.header(delayedOne, "courier-error-class")).isEqualTo("QUOTA_EXHAUSTED");
            assertThat(calls(simulator, first, "GET", "/rest/organizationalEntityShareStatistics")).isEqualTo(1);

            // Courier's own count had plenty left; LinkedIn's word wins, for every account, without a call.
            String two = UUID.randomUUID().toString();
            kafka.send("linkedin.jobs.sync", second.accountId(), statsJob(two, second));
            var delayedTwo = kafka.await(LONG_TIERS, r -> KafkaTestClient.text(r).contains(two), 1, WAIT).getFirst();
            assertThat(KafkaTestClient.header(delayedTwo, "courier-error-class")).isEqualTo("QUOTA_EXHAUSTED");
            assertThat(KafkaTestClient.header(delayedTwo, "courier-attempts")).isEqualTo("0");
            assertThat(Long.parseLong(KafkaTestClient.header(delayedTwo, "courier-due-at")))
                    .isGreaterThanOrEqualTo(midnight.toEpochMilli());
            assertThat(calls(simulator, second, "GET", "/rest/organizationalEntityShareStatistics")).isZero();
        } finally {
            simulator.call("PUT", "/sim/quotas", """
                    {"resources":{"shareStatistics":{"app":1000000}}}""");
            redisson.getKeys().delete(prefix + ":{share-statistics}:app");
        }
    }

    @Test
    void aSingleShortTerm429HoldsBackOnlyItsMember() throws Exception {
        Connected first = connect(simulator, "{}");
        Connected second = connect(simulator, "{}");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":429,"times":1,"headers":{"Retry-After":"2"}}""");
        String one = UUID.randomUUID().toString();
        String two = UUID.randomUUID().toString();
        String three = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", first.accountId(), post(one, first));
        kafka.await("linkedin.jobs.retry.1s", r -> KafkaTestClient.text(r).contains(one), 1, WAIT);
        kafka.send("linkedin.jobs.post", second.accountId(), post(two, second));
        kafka.send("linkedin.jobs.post", first.accountId(), post(three, first));

        // The other member is not held back by one refusal: its job runs at once.
        assertThat(resultOf(two).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resultOf(two).get("attempts").asInt()).isEqualTo(1);
        // The refused member is: its next job waits behind the refused one (per-account order), no call, no attempt.
        var held = kafka.await("linkedin.jobs.retry.1s", r -> KafkaTestClient.text(r).contains(three), 1, WAIT)
                .getFirst();
        assertThat(KafkaTestClient.header(held, "courier-error-class")).as("held, not failed").isNull();
        assertThat(KafkaTestClient.header(held, "courier-attempts")).isEqualTo("0");
        JsonNode last = resultOf(three);
        assertThat(last.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(last.get("attempts").asInt()).isEqualTo(1);
        JsonNode first429 = resultOf(one);
        assertThat(first429.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(last.get("finishedAt").asText()))
                .isAfterOrEqualTo(Instant.parse(first429.get("finishedAt").asText()));
    }

    @Test
    void aBurstOfShortTerm429sHoldsBackEveryPodAndMember() throws Exception {
        List<Connected> refused = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            refused.add(connect(simulator, "{}"));
        }
        Connected bystander = connect(simulator, "{}");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":429,"times":5,"headers":{"Retry-After":"10"}}""");
        String burst = UUID.randomUUID().toString();
        for (Connected a : refused) { // together: five refusals, and nothing but refusals, within the cooldown window
            kafka.sendAsync("linkedin.jobs.post", a.accountId(), post(burst + "-" + a.accountId(), a));
        }
        kafka.flush();
        await().atMost(WAIT).until(() -> retried(burst).size() == 5);
        String late = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", bystander.accountId(), post(late, bystander));

        await().atMost(WAIT).until(() -> retried(late).size() == 1);
        var held = retried(late).getFirst();
        assertThat(KafkaTestClient.header(held, "courier-error-message")).contains("Courier's cooldown budget");
        assertThat(KafkaTestClient.header(held, "courier-attempts")).isEqualTo("0");
        assertThat(resultOf(late).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(calls(simulator, bystander, "POST", "/rest/posts")).as("no call during the cooldown").isEqualTo(1);
    }

    /** debit.lua's SHA-1, as EVALSHA names it. */
    private static final String DEBIT_SHA = sha1("/quota/debit.lua");

    private static String sha1(String resource) {
        try (var in = QuotaFlowTest.class.getResourceAsStream(resource)) {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(new String(in.readAllBytes(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aJobCostsOneRedisRoundTrip() throws Exception {
        Connected account = connect(simulator, "{}");
        int jobs = 100;
        String run = UUID.randomUUID().toString();
        Map<String, Integer> commands = new ConcurrentHashMap<>();
        URI uri = URI.create(redisUrl);
        // MONITOR sees every database of the server; count only Courier's (other test runs may share the server):
        // the URL's path when it names one (REDIS_URL=redis://host:6379/6), else courier.redis.database.
        String database = "["
                + (uri.getPath() == null || uri.getPath().length() <= 1 ? redisDatabase : uri.getPath().substring(1));
        try (Socket monitor = new Socket(uri.getHost(), uri.getPort())) {
            // MONITOR shows every command a client sends (a round trip each) apart from those a script runs ("lua").
            monitor.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(monitor.getInputStream(), StandardCharsets.US_ASCII));
            in.readLine(); // +OK
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        String[] parts = line.split(" ");
                        if (parts.length > 3 && parts[1].equals(database) && !parts[2].equals("lua]")) {
                            String command = parts[3].replace("\"", "").toUpperCase();
                            // The budget script apart from others (a scheduled job's Redisson lock is EVALSHA too).
                            boolean debit = command.equals("EVALSHA") && parts.length > 4
                                    && parts[4].replace("\"", "").equals(DEBIT_SHA);
                            commands.merge(debit ? "EVALSHA debit" : command, 1, Integer::sum);
                        }
                    }
                } catch (IOException closed) {
                    // the test is done
                }
            });
            for (int i = 0; i < jobs; i++) {
                kafka.sendAsync("linkedin.jobs.sync", account.accountId(),
                        job(run + "-" + i, "sync.profile", account.accountId(), "{}"));
            }
            kafka.flush();
            kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run), jobs, WAIT);
            monitor.close();
            reader.join();
        }
        // Connection upkeep (Redisson's PING every few seconds per pooled connection) is not per job.
        int perJobWork = commands.entrySet().stream().filter(e -> !e.getKey().equals("PING"))
                .mapToInt(Map.Entry::getValue).sum();
        System.out.printf("Redis round trips for %d jobs: %s%n", jobs, commands);
        assertThat(commands.getOrDefault("EVALSHA debit", 0)).isEqualTo(jobs);
        assertThat(perJobWork).isLessThanOrEqualTo(2 * jobs);
    }

    /** Retry-tier records of jobs whose value contains {@code marker}, whichever tier the delay chose. */
    private List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> retried(String marker) {
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        for (String tier : List.of("linkedin.jobs.retry.1s", "linkedin.jobs.retry.10s")) {
            kafka.readAll(tier, java.time.Duration.ofMillis(500)).stream()
                    .filter(r -> KafkaTestClient.text(r).contains(marker)).forEach(found::add);
        }
        return found;
    }

    private static Instant nextUtcMidnight() {
        return Instant.now().atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).plusDays(1).toInstant();
    }

    private static String statsJob(String jobId, Connected account) {
        return job(jobId, "sync.org-share-stats", account.accountId(), """
                {"organization":"urn:li:organization:1"}""");
    }

    private static String post(String jobId, Connected account) {
        return job(jobId, "post.create", account.accountId(),
                """
                        {"author":"%s","commentary":"quota %s"}""".formatted(account.memberUrn(), jobId));
    }
}
