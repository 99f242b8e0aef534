package io.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The baseline of the topology benchmark, in a process of its own: poll a batch, POST every record to the LinkedIn
 * stand-in with at most N calls in flight (virtual threads), wait for the batch, commitSync. No validation, no
 * ordering, no database, no Redis, no result topic, no retries: the least a Kafka-to-LinkedIn bridge can do.
 * Prints "ready" once its consumer has its partitions and "done N" after each commit (N records so far), which is
 * how {@link TopologyBench} times it; it ends after {@code records} records.
 *
 * <pre>BareLoop BOOTSTRAP TOPIC STAND_IN_URL LINKEDIN_VERSION IN_FLIGHT RECORDS</pre>
 */
public final class BareLoop {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BareLoop() {}

    /** The bare loop's consumer: its own group (named after the topic), from the start, offsets committed by hand. */
    static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, topic, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            throw new IllegalArgumentException(
                    "usage: BareLoop BOOTSTRAP TOPIC STAND_IN_URL LINKEDIN_VERSION IN_FLIGHT RECORDS");
        }
        String bootstrap = args[0];
        String topic = args[1];
        URI posts = URI.create(args[2] + "/rest/posts");
        String version = args[3];
        Semaphore permits = new Semaphore(Integer.parseInt(args[4]));
        int records = Integer.parseInt(args[5]);
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, topic);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            consumer.subscribe(List.of(topic));
            long joinDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumer.assignment().isEmpty()) {
                if (System.nanoTime() > joinDeadline) {
                    throw new IllegalStateException("no partitions of " + topic + " assigned within 60 s");
                }
                consumer.poll(Duration.ofMillis(50));
            }
            System.out.println("ready");
            int done = 0;
            long idleDeadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (done < records) { // ends after `records` records, or 5 minutes without one
                List<Future<Integer>> batch = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    batch.add(threads.submit(() -> post(http, posts, version, permits, r.value())));
                }
                if (batch.isEmpty()) {
                    if (System.nanoTime() > idleDeadline) {
                        throw new IllegalStateException("no record for 5 minutes after " + done + " of " + records);
                    }
                    continue;
                }
                for (Future<Integer> f : batch) {
                    f.get();
                }
                consumer.commitSync();
                done += batch.size();
                idleDeadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                System.out.println("done " + done);
            }
        }
    }

    /** One call; a refused call is simply lost (that is what Courier is for). */
    private static Integer post(HttpClient http, URI posts, String version, Semaphore permits, byte[] value)
            throws Exception {
        JsonNode body = JSON.readTree(value);
        HttpRequest request = HttpRequest.newBuilder(posts)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + body.get("token").asText())
                .header("LinkedIn-Version", version)
                .header("X-Restli-Protocol-Version", "2.0.0")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"author\":\"" + body.get("author").asText()
                        + "\",\"commentary\":\"" + body.get("commentary").asText() + "\",\"visibility\":\"PUBLIC\","
                        + "\"distribution\":{\"feedDistribution\":\"MAIN_FEED\",\"targetEntities\":[],"
                        + "\"thirdPartyDistributionChannels\":[]},\"lifecycleState\":\"PUBLISHED\","
                        + "\"isReshareDisabledByAuthor\":false}"))
                .build();
        permits.acquire();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } finally {
            permits.release();
        }
    }
}
