package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The bundled producer against a real broker: key = accountId, topic by type, one line per job. */
class PublishCommandTest {

    @Test
    void publishesEachLineKeyedByAccountToItsTypesTopic() throws Exception {
        String bootstrap = CourierServices.coordinates().get("courier.kafka.bootstrap-servers");
        String topic = "publish-test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(java.util.Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(java.util.List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        String jobId = UUID.randomUUID().toString();
        String lines = """
                {"jobId":"%s","type":"sync.profile","accountId":"acct-7"}

                not json
                """.formatted(jobId);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) { // before the publish: it reads what came after
            int exit = PublishCommand.run(new String[] {"--bootstrap", bootstrap, "--topic", topic},
                    new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)), new PrintStream(out), System.err);

            assertThat(exit).isZero();
            assertThat(out.toString()).contains("jobId=" + jobId).contains("key=acct-7").contains("topic=" + topic);
            var records = kafka.await(topic, r -> true, 2, Duration.ofSeconds(20));
            assertThat(records.get(0).key()).isEqualTo("acct-7");
            assertThat(KafkaTestClient.text(records.get(1))).isEqualTo("not json");
            assertThat(records.get(1).key()).isNull();
        }
    }

    @Test
    void refusesAnUnknownOption() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PublishCommand.run(new String[] {"--nope"}, new ByteArrayInputStream(new byte[0]),
                System.out, new PrintStream(err));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option --nope");
    }
}
