package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.ConnectedAccounts;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Courier against a broker that authenticates (SASL_PLAINTEXT with SCRAM-SHA-512) and authorizes (StandardAuthorizer,
 * nothing allowed without an ACL): with the principals, topics and ACLs of k8s/base/kafka-users.yaml and
 * k8s/base/kafka-topics.yaml, the packaged jar runs a job end to end; with a wrong password it refuses to start, naming
 * the setting and the principal; a producer cannot write to a retry tier.
 */
class KafkaSecurityIT {

    private static final String COURIER_PASSWORD = "courier-" + UUID.randomUUID();
    private static final String PRODUCER_PASSWORD = "producer-" + UUID.randomUUID();
    private static final String READER_PASSWORD = "reader-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaClusterTestKit broker;

    @BeforeAll
    static void startScramBroker() throws Exception {
        // The test kit's SASL listener: PLAIN for its super-user (plain-admin), SCRAM-SHA-512 added for Courier's
        // users.
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder().setCombined(true)
                        .setNumBrokerNodes(1).setNumControllerNodes(1)
                        .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT).build())
                .setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512")
                .setConfigProp("listener.name.external.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                // The controller listener stays PLAINTEXT (its clients are User:ANONYMOUS); clients only reach the SASL
                // one.
                .setConfigProp("super.users", "User:plain-admin;User:ANONYMOUS");
        broker = CourierServices.singleBroker(builder).build();
        broker.format();
        broker.startup();
        broker.waitForReadyBrokers();
        Map<String, Object> superUser = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"plain-admin\" password=\"plain-admin-secret\";"));
        try (Admin admin = Admin.create(superUser)) {
            admin.alterUserScramCredentials(
                    List.of(scram("courier", COURIER_PASSWORD), scram("courier-producer", PRODUCER_PASSWORD),
                            scram("courier-results-reader", READER_PASSWORD)))
                    .all().get(30, TimeUnit.SECONDS);
            admin.createTopics(manifest("kafka-topics.yaml").stream()
                    .map(t -> new NewTopic(name(t), 1, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(aclsOfTheManifest()).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void withTheManifestsPrincipalsAndAclsAJobRunsEndToEnd() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        int port = CourierJar.freePort();
        Path log = Path.of("target/kafka-security-courier.log");
        Files.deleteIfExists(log);
        Process courier = CourierJar.start(courierEnv(services, port, COURIER_PASSWORD), port, log);
        try (KafkaTestClient producer = new KafkaTestClient(broker.bootstrapServers(),
                scramClient("courier-producer", PRODUCER_PASSWORD), "none-");
                KafkaTestClient reader = new KafkaTestClient(broker.bootstrapServers(),
                        scramClient("courier-results-reader", READER_PASSWORD),
                        "courier-results-reader-")) {
            JsonNode member = simulator.newMember("{}");
            String account = "scram-" + UUID.randomUUID();
            CourierJar.importTokens(port, account, member);
            String jobId = "scram-job-" + UUID.randomUUID();
            publishWithTheCli(ConnectedAccounts.job(jobId, "post.create", account,
                    """
                            {"author":"%s","commentary":"over SCRAM"}""".formatted(member.get("memberUrn").asText())));

            JsonNode result = JSON.readTree(reader.await("linkedin.jobs.results",
                    r -> KafkaTestClient.text(r).contains(jobId), 1, Duration.ofSeconds(60)).getFirst().value());
            assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(result.get("data").get("postUrn").asText()).startsWith("urn:li:");
            // Least privilege: the producer's principal cannot put a record on a retry tier (whose headers Courier
            // trusts).
            assertThatThrownBy(() -> producer.send("linkedin.jobs.retry.1s", account, "{}"))
                    .hasStackTraceContaining("TopicAuthorizationException");
        } finally {
            courier.destroy();
            courier.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(log)).doesNotContain(COURIER_PASSWORD);
    }

    @Test
    void aWrongPasswordFailsTheStartNamingTheSettingAndThePrincipal() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        int port = CourierJar.freePort();
        String wrong = "wrong-" + UUID.randomUUID();
        Path log = Files.createTempFile("courier-wrong-scram", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(courierEnv(services, port, wrong));
        Process courier = pb.start();
        boolean exited = courier.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            courier.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        assertThat(exited).as("Courier should refuse to start; output:%n%s", output).isTrue();
        assertThat(courier.exitValue()).isNotZero();
        assertThat(output).contains("courier.kafka.sasl.jaas.config").contains("principal=User:courier")
                .contains("SCRAM-SHA-512");
        assertThat(output).doesNotContain(wrong);
    }

    /**
     * The bundled CLI as a product would run it: `publish --producer-config` with the producer principal's credentials.
     */
    private static void publishWithTheCli(String job) throws Exception {
        Path config = Files.createTempFile("producer", ".properties");
        java.util.Properties props = new java.util.Properties();
        props.putAll(scramClient("courier-producer", PRODUCER_PASSWORD));
        try (var out = Files.newBufferedWriter(config)) {
            props.store(out, null);
        }
        Process cli = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                "target/quarkus-app/quarkus-run.jar", "publish", "--bootstrap", broker.bootstrapServers(),
                "--producer-config", config.toString()).redirectErrorStream(true).start();
        cli.getOutputStream().write((job + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        cli.getOutputStream().close();
        String output = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("publish ended; output:%n%s", output).isTrue();
        assertThat(cli.exitValue()).as("publish exit; output:%n%s", output).isZero();
    }

    private static Map<String, String> courierEnv(Map<String, String> services, int port, String password) {
        Map<String, String> env = CourierJar.env(services, port, "courier");
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("COURIER_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("COURIER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("COURIER_KAFKA_SASL_JAAS_CONFIG", jaas("courier", password));
        // As in production (k8s/base/configmap.yaml): the topics exist, Courier has no right to create any.
        env.put("COURIER_TOPICS_CREATE_MISSING", "false");
        return env;
    }

    private static Map<String, Object> scramClient(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config",
                jaas(user, password));
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private static UserScramCredentialUpsertion scram(String user, String password) {
        return new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                password);
    }

    /**
     * The ACLs of k8s/base/kafka-users.yaml (Strimzi's simple authorization), as Kafka's StandardAuthorizer holds them.
     */
    @SuppressWarnings("unchecked")
    private static List<AclBinding> aclsOfTheManifest() throws Exception {
        List<AclBinding> bindings = new ArrayList<>();
        for (Map<String, Object> user : manifest("kafka-users.yaml")) {
            String principal = "User:" + name(user);
            Map<String, Object> authorization = (Map<String, Object>) ((Map<String, Object>) user.get("spec"))
                    .get("authorization");
            for (Map<String, Object> acl : (List<Map<String, Object>>) authorization.get("acls")) {
                Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
                ResourceType type = switch ((String) resource.get("type")) {
                    case "topic" -> ResourceType.TOPIC;
                    case "group" -> ResourceType.GROUP;
                    case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                    case "cluster" -> ResourceType.CLUSTER;
                    default -> throw new IllegalArgumentException("resource type " + resource.get("type"));
                };
                PatternType pattern = "prefix".equals(resource.get("patternType"))
                        ? PatternType.PREFIXED
                        : PatternType.LITERAL;
                String name = type == ResourceType.CLUSTER ? "kafka-cluster" : (String) resource.get("name");
                for (String operation : (List<String>) acl.get("operations")) {
                    AclOperation op = AclOperation
                            .fromString(operation.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
                    assertThat(op).as("operation %s", operation).isNotEqualTo(AclOperation.UNKNOWN);
                    bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                            new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
                }
            }
        }
        return bindings;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> manifest(String file) throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(Path.of("k8s/base", file)))) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static String name(Map<String, Object> object) {
        return (String) ((Map<String, Object>) object.get("metadata")).get("name");
    }
}
