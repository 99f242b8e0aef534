package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * courier.kafka.<kafka property> reaches Courier's clients; Courier's own settings and unknown names fail the start.
 */
class KafkaClientPropertiesTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"courier\" password=\"s3cret\";";

    @Test
    void securityPropertiesFromFilesAndEnvironmentReachEveryClient() {
        KafkaClients clients = clients(Map.of(
                "courier.kafka.security.protocol", "SASL_SSL",
                "COURIER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "COURIER_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "courier.kafka.ssl.truststore.location", "/etc/courier/kafka-ca/ca.p12"));
        for (Map<String, Object> props : java.util.List.of(clients.producerProps("side"),
                clients.consumerProps("c", ""), clients.adminProps())) {
            assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", JAAS)
                    .containsEntry("ssl.truststore.location", "/etc/courier/kafka-ca/ca.p12");
        }
        assertThat(clients.passThrough().saslUser()).contains("courier");
        assertThat(clients.passThrough().saslMechanism()).isEqualTo("SCRAM-SHA-512");
    }

    @Test
    void aPropertyGoesOnlyToTheClientsThatKnowIt() {
        KafkaClients clients = clients(
                Map.of("courier.kafka.group.instance.id", "courier-0", "courier.kafka.compression.type", "zstd"));
        assertThat(clients.consumerProps("c", "")).containsEntry("group.instance.id", "courier-0")
                .doesNotContainKey("compression.type");
        assertThat(clients.producerProps("side")).containsEntry("compression.type", "zstd")
                .doesNotContainKey("group.instance.id");
        assertThat(clients.adminProps()).doesNotContainKeys("group.instance.id", "compression.type");
    }

    @ParameterizedTest(name = "{0} -> names {1}")
    @CsvSource({
            "courier.kafka.transactional.id, courier.kafka.transactional.id",
            "COURIER_KAFKA_ISOLATION_LEVEL, courier.kafka.isolation.level",
            "courier.kafka.enable.idempotence, courier.kafka.enable.idempotence",
            "COURIER_KAFKA_VALUE_DESERIALIZER, courier.kafka.value.deserializer",
            "courier.kafka.client.id, courier.kafka.client.id",
            "courier.kafka.sasl.jass.config, courier.kafka.sasl.jass.config"})
    void anOwnedOrUnknownPropertyFailsNamingIt(String name, String named) {
        assertThatThrownBy(() -> clients(Map.of(name, "x"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(named);
    }

    @Test
    void courierOwnKeysAreNotPassedThrough() {
        KafkaClients clients = clients(Map.of("COURIER_KAFKA_GROUP_ID", "g", "COURIER_KAFKA_PRODUCE_TIMEOUT", "10s",
                "COURIER_KAFKA_MAX_REQUEST_SIZE", "1048576", "COURIER_KAFKA_BOOTSTRAP_SERVERS", "b:9092"));
        assertThat(clients.passThrough().names()).isEmpty();
    }

    @Test
    void everySettingCourierMakesIsOneAnOperatorCannotOverride() {
        KafkaClients clients = clients(Map.of());
        Set<String> courierSets = new HashSet<>();
        courierSets.addAll(clients.producerProps("side").keySet());
        courierSets.addAll(clients.consumerProps("c", "").keySet());
        courierSets.addAll(clients.adminProps().keySet());
        courierSets.addAll(Set.of("transactional.id", "key.serializer", "value.serializer", "key.deserializer",
                "value.deserializer"));
        assertThat(KafkaClientProperties.OWNED.keySet()).containsAll(courierSets);
    }

    private static KafkaClients clients(Map<String, String> properties) {
        Map<String, String> files = new HashMap<>();
        Map<String, String> env = new HashMap<>();
        properties.forEach((k, v) -> (k.startsWith("COURIER_") ? env : files).put(k, v));
        Config config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(files, "application.properties", 250),
                        new EnvConfigSource(env, 300))
                .build();
        return new KafkaClients(new TestKafkaConfig(), config);
    }

    private record TestKafkaConfig() implements KafkaConfig {
        @Override
        public String bootstrapServers() {
            return "127.0.0.1:9092";
        }
        @Override
        public String groupId() {
            return "courier";
        }
        @Override
        public Duration produceTimeout() {
            return Duration.ofSeconds(30);
        }
        @Override
        public int maxRequestSize() {
            return 1_048_576;
        }
    }

}
