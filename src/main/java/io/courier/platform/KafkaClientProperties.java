package io.courier.platform;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * The Kafka client properties an operator passes through as {@code courier.kafka.<kafka property>}, e.g.
 * {@code courier.kafka.security.protocol=SASL_SSL} or the variable {@code COURIER_KAFKA_SASL_JAAS_CONFIG}: TLS,
 * SASL and any other client setting that Courier does not own. Each goes to the clients that know it (producers,
 * consumers, the admin client). Courier's own names under courier.kafka are kebab-case, Kafka's are dotted, so the
 * two never clash.
 *
 * <p>Two mistakes fail the start, naming the property: a setting Courier's guarantees rest on ({@link #OWNED}:
 * transactions, read_committed, idempotence, manual commits, serializers...), and a name that no Kafka client knows
 * (a typo such as {@code sasl.jass.config} would otherwise leave SASL off and only show as a refused connection).
 */
public final class KafkaClientProperties {

    static final String PREFIX = "courier.kafka.";
    private static final String ENV_PREFIX = "COURIER_KAFKA_";

    /** Courier's own keys under courier.kafka (KafkaConfig); their environment spellings are not pass-throughs. */
    private static final Set<String> OWN_KEYS = Set.of("bootstrap-servers", "group-id", "produce-timeout",
            "max-request-size");

    /** Kafka settings that Courier sets itself, and why an operator cannot change them. */
    static final Map<String, String> OWNED = owned();

    private static final Pattern JAAS_USER = Pattern.compile("\\busername\\s*=\\s*\"([^\"]*)\"");

    private final Map<String, String> values;

    private KafkaClientProperties(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * Reads the pass-throughs among {@code names} (property names as SmallRye lists them: {@code courier.kafka.x.y}
     * from files and system properties, {@code COURIER_KAFKA_X_Y} from the environment) and checks them.
     */
    public static KafkaClientProperties from(Iterable<String> names, Function<String, Optional<String>> value) {
        Map<String, String> values = new TreeMap<>();
        for (String name : names) {
            kafkaName(name).ifPresent(key -> value.apply(PREFIX + key).ifPresent(v -> values.put(key, v)));
        }
        for (String key : values.keySet()) {
            check(key);
        }
        return new KafkaClientProperties(values);
    }

    /** The Kafka property a configuration name passes through, if it is one. */
    static Optional<String> kafkaName(String name) {
        if (name.startsWith(PREFIX)) {
            String key = name.substring(PREFIX.length());
            // SmallRye also lists COURIER_KAFKA_GROUP_ID as courier.kafka.group.id: Courier's own key, not a
            // pass-through.
            return OWN_KEYS.contains(key.replace('.', '-')) ? Optional.empty() : Optional.of(key);
        }
        if (name.startsWith(ENV_PREFIX)) {
            // Kafka's names are lowercase words joined by dots, so the environment spelling maps back to one name.
            String rest = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
            return OWN_KEYS.contains(rest.replace('_', '-')) ? Optional.empty() : Optional.of(rest.replace('_', '.'));
        }
        return Optional.empty();
    }

    private static void check(String key) {
        String property = PREFIX + key;
        if (OWNED.containsKey(key)) {
            throw new ConfigurationException(property + " cannot be set: " + OWNED.get(key));
        }
        if (!ProducerConfig.configNames().contains(key) && !ConsumerConfig.configNames().contains(key)
                && !AdminClientConfig.configNames().contains(key)) {
            throw new ConfigurationException(property + " is not a Kafka client property (" + key
                    + " is unknown to Kafka's producer, consumer and admin client)");
        }
    }

    /** What the producers get: the pass-throughs a producer knows. */
    public Map<String, Object> forProducer() {
        return known(ProducerConfig.configNames());
    }

    /** What the consumers get. */
    public Map<String, Object> forConsumer() {
        return known(ConsumerConfig.configNames());
    }

    /** What the admin client gets. */
    public Map<String, Object> forAdmin() {
        return known(AdminClientConfig.configNames());
    }

    private Map<String, Object> known(Set<String> names) {
        Map<String, Object> out = new HashMap<>();
        values.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Adds the pass-throughs to Courier's own settings; Courier's win (check() already refused an override). */
    static Map<String, Object> merge(Map<String, Object> courier, Map<String, Object> passThrough) {
        Map<String, Object> props = new HashMap<>(passThrough);
        props.putAll(courier);
        return props;
    }

    /** security.protocol as configured (Kafka's default is PLAINTEXT). */
    public String securityProtocol() {
        return values.getOrDefault("security.protocol", "PLAINTEXT");
    }

    /** The SASL mechanism in use, when the protocol is SASL_*. */
    public String saslMechanism() {
        return values.getOrDefault(SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
    }

    /** The user named in sasl.jaas.config (username="..."), never its password. */
    public Optional<String> saslUser() {
        String jaas = values.get(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas == null) {
            return Optional.empty();
        }
        Matcher m = JAAS_USER.matcher(jaas);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The property names given (values stay here: some are secrets). */
    public Set<String> names() {
        return values.keySet();
    }

    private static Map<String, String> owned() {
        Map<String, String> m = new HashMap<>();
        String own = "Courier sets it itself; ";
        m.put("bootstrap.servers", "set courier.kafka.bootstrap-servers (KAFKA_BOOTSTRAP_SERVERS) instead");
        m.put("group.id", "set courier.kafka.group-id instead");
        m.put("max.request.size",
                "set courier.kafka.max-request-size instead (RecordLimit keeps every record within it)");
        m.put("delivery.timeout.ms", "set courier.kafka.produce-timeout instead");
        m.put("request.timeout.ms", own + "producers derive it from courier.kafka.produce-timeout");
        m.put("default.api.timeout.ms", own + "the admin client's calls are bounded for readiness and topic checks");
        m.put("client.id", own + "each client is named after its role (metrics, broker quotas)");
        m.put("transactional.id", own + "one per poll loop, so a job's outputs and its offset commit together");
        m.put("enable.idempotence", own + "producers must be idempotent (no duplicate outputs on retries)");
        m.put("acks", own + "every output is written with acks=all");
        m.put("isolation.level", own + "consumers read committed records only (read_committed)");
        m.put("enable.auto.commit", own + "an offset is committed only after the job's outcome is written");
        m.put("auto.offset.reset", own + "a new consumer group starts at the earliest record, so no job is skipped");
        m.put("partition.assignment.strategy", own + "cooperative-sticky, so a rebalance moves only what must move");
        m.put("heartbeat.interval.ms",
                own + "1 s, so a pod leaving or joining hands its partitions over within a second");
        m.put("max.poll.records", own + "sized with courier.worker.max-buffered-records");
        m.put("max.partition.fetch.bytes", own + "64 KiB keeps per-account ordering from starving other partitions");
        m.put("linger.ms", own + "results and retries are sent within 5 ms");
        for (String s : new String[] {"key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
            m.put(s, own + "keys are UTF-8 strings and values raw bytes");
        }
        return Map.copyOf(m);
    }
}
