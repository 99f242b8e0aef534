package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The bundled producer: reads one job envelope per line and publishes it keyed by accountId to the topic of
 * its type, the way any producer should. It does not validate (the worker does, and dead-letters bad jobs),
 * so it can also be used to show what happens to a bad record.
 */
final class PublishCommand {

    static final String USAGE = """
            publish options:
              --bootstrap HOST:PORT   Kafka (default: $KAFKA_BOOTSTRAP_SERVERS or localhost:9092)
              --producer-config FILE  Kafka client properties (security.protocol, sasl.*, ssl.*), as for
                                      kafka-console-producer; acks, idempotence and serializers stay the CLI's
              --topic NAME            one topic for every line (default: by type, post.* -> linkedin.jobs.post,
                                      anything else -> linkedin.jobs.sync)
            """;

    private PublishCommand() {}

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Map<String, String> env = System.getenv();
        String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        String topic = null;
        Properties security = new Properties();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = value(args, ++i);
                case "--producer-config" -> {
                    String file = value(args, ++i);
                    try (var reader = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file))) {
                        security.load(reader);
                    } catch (java.io.IOException e) {
                        err.println("cannot read --producer-config " + file + ": " + e.getMessage());
                        return 2;
                    }
                }
                case "--topic" -> topic = value(args, ++i);
                default -> {
                    err.println("unknown option " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap, security)) {
            return publishLines(producer, topic, in, out, err);
        }
    }

    private static int publishLines(KafkaProducer<String, byte[]> producer, String fixedTopic, InputStream in,
            PrintStream out, PrintStream err) {
        ObjectMapper json = CliJson.MAPPER;
        int failures = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode job = tryParse(json, line);
                String type = job == null ? "" : job.path("type").asText("");
                String key = job == null || !job.path("accountId").isTextual() ? null : job.get("accountId").asText();
                String topic = fixedTopic != null
                        ? fixedTopic
                        : type.startsWith("post.") ? "linkedin.jobs.post" : "linkedin.jobs.sync";
                RecordMetadata md = producer
                        .send(new ProducerRecord<>(topic, key, line.getBytes(StandardCharsets.UTF_8))).get();
                out.printf("published jobId=%s type=%s key=%s topic=%s partition=%d offset=%d%n",
                        job == null ? "-" : job.path("jobId").asText("-"), type.isEmpty() ? "-" : type,
                        key == null ? "-" : key, md.topic(), md.partition(), md.offset());
            }
        } catch (Exception e) {
            err.println("publish failed: " + e.getMessage());
            failures++;
        }
        return failures == 0 ? 0 : 1;
    }

    private static JsonNode tryParse(ObjectMapper json, String line) {
        try {
            return json.readTree(line);
        } catch (Exception e) {
            return null; // published as is: the worker dead-letters it with the reason
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, Properties security) {
        Properties props = new Properties();
        props.putAll(security); // the CLI's own settings below win
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
