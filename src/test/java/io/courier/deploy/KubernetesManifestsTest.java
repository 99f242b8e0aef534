package io.courier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.platform.KafkaClientProperties;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in k8s/ are valid objects (fabric8's model), each kustomization resolves, the
 * Deployment is hardened as the README says, and every environment variable they set is one Courier reads.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    @Test
    void everyManifestParsesAsAKubernetesObject() throws IOException {
        Map<Path, List<HasMetadata>> all = manifests();
        assertThat(all).isNotEmpty();
        all.forEach((file, objects) -> objects.forEach(o -> {
            assertThat(o.getApiVersion()).as("%s apiVersion", file).isNotBlank();
            assertThat(o.getKind()).as("%s kind", file).isNotBlank();
            assertThat(o.getMetadata().getName()).as("%s name", file).isNotBlank();
            if (o instanceof GenericKubernetesResource custom) {
                assertThat(custom.getApiVersion()).as("%s: a custom resource of a known operator", file)
                        .matches("(keda\\.sh|monitoring\\.coreos\\.com|kafka\\.strimzi\\.io)/v1(alpha1|beta2)?");
            }
        }));
    }

    @Test
    void eachKustomizationBuilds() throws IOException {
        for (Path kustomization : List.of(K8S.resolve("kustomization.yaml"),
                K8S.resolve("hpa-fallback/kustomization.yaml"))) {
            Map<String, HasMetadata> built = build(kustomization);
            assertThat(built).as("%s builds", kustomization).isNotEmpty();
        }
        Map<String, HasMetadata> base = build(K8S.resolve("kustomization.yaml"));
        assertThat(base).containsKeys("Deployment/courier", "Service/courier", "ConfigMap/courier-config",
                "Secret/courier-secrets", "PodDisruptionBudget/courier", "ScaledObject/courier",
                "NetworkPolicy/courier",
                "ServiceMonitor/courier", "PrometheusRule/courier-alerts", "NetworkPolicy/courier-admin-clients",
                "KafkaUser/courier", "KafkaUser/courier-producer", "KafkaUser/courier-results-reader");
        Map<String, HasMetadata> fallback = build(K8S.resolve("hpa-fallback/kustomization.yaml"));
        assertThat(fallback).containsKey("HorizontalPodAutoscaler/courier").doesNotContainKey("ScaledObject/courier");
    }

    @Test
    void theDeploymentIsHardenedAndDrainsWithinItsGracePeriod() throws IOException {
        Deployment d = (Deployment) build(K8S.resolve("kustomization.yaml")).get("Deployment/courier");
        var pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().getFirst();
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(pod.getTopologySpreadConstraints()).isNotEmpty();
        ConfigMap config = (ConfigMap) build(K8S.resolve("kustomization.yaml")).get("ConfigMap/courier-config");
        Duration drain = Duration.parse("PT" + config.getData().getOrDefault("COURIER_WORKER_DRAIN_TIMEOUT",
                courierDefault("courier.worker.drain-timeout")).toUpperCase());
        // Running jobs get the drain timeout, then up to 10 s to commit and close (PollLoop.stop).
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(drain.plusSeconds(10).toSeconds());
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    }

    @Test
    void everyEnvironmentVariableIsOneCourierReads() throws IOException {
        Set<String> known = variablesCourierReads();
        Set<String> used = new HashSet<>();
        manifests().values().stream().flatMap(List::stream).forEach(o -> {
            if (o instanceof ConfigMap cm && !cm.getMetadata().getLabels().containsKey("grafana_dashboard")) {
                used.addAll(cm.getData().keySet()); // the environment; the dashboard's ConfigMap holds a file
            } else if (o instanceof Secret s) {
                used.addAll(s.getStringData().keySet());
                assertThat(s.getStringData().values()).as("the Secret is a template: no real values")
                        .allMatch("REPLACE_ME"::equals);
            } else if (o instanceof Deployment d) {
                d.getSpec().getTemplate().getSpec().getContainers()
                        .forEach(c -> c.getEnv().forEach(e -> used.add(e.getName())));
            } else if (o instanceof Job j) {
                j.getSpec().getTemplate().getSpec().getContainers()
                        .forEach(c -> c.getEnv().forEach(e -> used.add(e.getName())));
            }
        });
        assertThat(used).isNotEmpty();
        // COURIER_KAFKA_<PROPERTY> passes a Kafka client property through: Courier accepts it if its start would.
        used.removeIf(name -> name.startsWith("COURIER_KAFKA_") && !known.contains(name)
                && !KafkaClientProperties.from(List.of(name), n -> Optional.of("set")).names().isEmpty());
        assertThat(known).containsAll(used);
    }

    @Test
    void egressGoesOnlyToKafkaRedisPostgresDnsAndLinkedIn() throws IOException {
        NetworkPolicy policy = (NetworkPolicy) build(K8S.resolve("kustomization.yaml")).get("NetworkPolicy/courier");
        assertThat(policy.getSpec().getPolicyTypes()).contains("Egress");
        Set<Integer> ports = new HashSet<>();
        policy.getSpec().getEgress().forEach(rule -> rule.getPorts().forEach(p -> ports.add(p.getPort().getIntVal())));
        assertThat(ports).containsExactlyInAnyOrder(53, 9093, 6379, 5432, 443);
    }

    @Test
    void port8080IsOpenOnlyToTheIngressControllerPrometheusAndTheReplayJob() throws IOException {
        Map<String, HasMetadata> base = build(K8S.resolve("kustomization.yaml"));
        NetworkPolicy courier = (NetworkPolicy) base.get("NetworkPolicy/courier");
        Map<String, String> courierPods = ((Deployment) base.get("Deployment/courier")).getSpec().getTemplate()
                .getMetadata().getLabels();
        Map<String, String> replayPods = replayJob().getSpec().getTemplate().getMetadata().getLabels();
        assertThat(courier.getSpec().getIngress()).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(8080);
            assertThat(rule.getFrom()).as("an ingress rule without 'from' admits every pod").isNotEmpty();
        });
        List<String> peers = new ArrayList<>();
        courier.getSpec().getIngress().forEach(rule -> rule.getFrom().forEach(peer -> {
            assertThat(peer.getIpBlock()).as("no address ranges").isNull();
            String namespace = peer.getNamespaceSelector() == null
                    ? "same namespace"
                    : peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
            String pods = peer.getPodSelector() == null ? "any pod" : peer.getPodSelector().getMatchLabels().toString();
            peers.add(namespace + " / " + pods);
            if (peer.getNamespaceSelector() == null) {
                assertThat(replayPods).as("the same-namespace peer is the replay Job")
                        .containsAllEntriesOf(peer.getPodSelector().getMatchLabels());
            }
        }));
        assertThat(peers).containsExactlyInAnyOrder("ingress-nginx / any pod",
                "monitoring / {app.kubernetes.io/name=prometheus}",
                "same namespace / {courier.io/admin-client=true}");
        // The Job's pods are not Courier's: neither the Service nor Courier's own policy (no ingress from itself)
        // selects them.
        assertThat(replayPods).doesNotContainEntry("app.kubernetes.io/name", "courier");
        assertThat(courierPods).containsAllEntriesOf(courier.getSpec().getPodSelector().getMatchLabels());
        // The Job's own policy lets it reach Courier's pods on 8080, and DNS.
        NetworkPolicy clients = (NetworkPolicy) base.get("NetworkPolicy/courier-admin-clients");
        assertThat(replayPods).containsAllEntriesOf(clients.getSpec().getPodSelector().getMatchLabels());
        assertThat(clients.getSpec().getEgress()).anySatisfy(rule -> {
            assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(8080);
            assertThat(rule.getTo()).singleElement().satisfies(
                    to -> assertThat(courierPods).containsAllEntriesOf(to.getPodSelector().getMatchLabels()));
        });
        assertThat(clients.getSpec().getIngress()).isEmpty();
    }

    @Test
    void noPodMountsAServiceAccountToken() throws IOException {
        Deployment d = (Deployment) build(K8S.resolve("kustomization.yaml")).get("Deployment/courier");
        assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(replayJob().getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(replayJob().getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void theManifestsConnectOverTlsWithSecretsFromMountedVolumes() throws IOException {
        Map<String, HasMetadata> base = build(K8S.resolve("kustomization.yaml"));
        Map<String, String> config = ((ConfigMap) base.get("ConfigMap/courier-config")).getData();
        assertThat(config).containsEntry("COURIER_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("COURIER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        assertThat(config.get("DB_URL")).contains("sslmode=verify-full").contains("sslrootcert=");
        assertThat(((Secret) base.get("Secret/courier-secrets")).getStringData()).containsKey("REDIS_URL");
        assertThat(config).doesNotContainKey("REDIS_URL"); // it carries the password
        Container c = ((Deployment) base.get("Deployment/courier")).getSpec().getTemplate().getSpec().getContainers()
                .getFirst();
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("COURIER_KAFKA_SASL_JAAS_CONFIG");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("sasl.jaas.config");
        });
        var pod = ((Deployment) base.get("Deployment/courier")).getSpec().getTemplate().getSpec();
        for (String file : List.of(config.get("COURIER_KAFKA_SSL_TRUSTSTORE_LOCATION"),
                config.get("COURIER_REDIS_SSL_TRUSTSTORE"),
                config.get("DB_URL").replaceAll(".*sslrootcert=([^&]+).*", "$1"))) {
            assertThat(c.getVolumeMounts()).as("%s is on a read-only Secret volume", file).anySatisfy(m -> {
                assertThat(file).startsWith(m.getMountPath() + "/");
                assertThat(m.getReadOnly()).isTrue();
                assertThat(pod.getVolumes()).anySatisfy(v -> {
                    assertThat(v.getName()).isEqualTo(m.getName());
                    assertThat(v.getSecret()).isNotNull();
                });
            });
        }
    }

    @Test
    void theImageIsPinnedByDigestAndItsFilesBelongToRoot() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("deploy/Dockerfile")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).isNotEmpty()
                .allSatisfy(from -> assertThat(from).matches("FROM [^\\s]+:[^\\s@]+@sha256:[0-9a-f]{64}( AS \\S+)?"));
        assertThat(lines).noneMatch(l -> l.contains("--chown") || l.contains("chown ") || l.contains("chmod "));
        int user = lines.indexOf("USER 10001:10001");
        assertThat(user).as("USER 10001:10001").isPositive();
        assertThat(lines.subList(user, lines.size()))
                .noneMatch(l -> l.startsWith("COPY") || l.startsWith("ADD") || l.startsWith("RUN"));
    }

    private static Job replayJob() throws IOException {
        return (Job) parse(K8S.resolve("replay-job.yaml")).getFirst();
    }

    @Test
    void alertsAndTopicsCoverWhatCourierNeeds() throws IOException {
        String alerts = Files.readString(K8S.resolve("alerts.yaml"));
        for (String alert : List.of("CourierReauthRequiredSpike", "CourierAppCredentialsRefused",
                "CourierDeadLetterRate",
                "CourierLinkedInCircuitOpen", "CourierConsumerLagGrowing", "CourierDeadLetterIndexerBehind",
                "CourierDeadLetterIndexerStalled", "CourierLinkedInVersionInactive",
                "CourierLinkedInVersionSunsetSoon")) {
            assertThat(alerts).contains("alert: " + alert);
        }
        Set<String> topics = new HashSet<>();
        manifests().get(K8S.resolve("kafka-topics.yaml")).forEach(t -> topics.add(t.getMetadata().getName()));
        Set<String> expected = new HashSet<>(
                List.of(courierDefault("courier.topics.post"), courierDefault("courier.topics.sync"),
                        courierDefault("courier.topics.dead-letter"), courierDefault("courier.topics.results"),
                        courierDefault("courier.topics.auth-events")));
        for (String tier : courierDefault("courier.retry.tiers").split(",")) {
            expected.add(courierDefault("courier.retry.topic-prefix") + tier.trim());
        }
        assertThat(topics).isEqualTo(expected);
        String dockerfile = Files.readString(Path.of("deploy/Dockerfile"));
        assertThat(dockerfile).contains("USER 10001").contains("ENTRYPOINT [\"java\"");
    }

    /** Every YAML document under k8s/ except kustomizations, by file. */
    private static Map<Path, List<HasMetadata>> manifests() throws IOException {
        Map<Path, List<HasMetadata>> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(
                    p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList()) {
                out.put(f, parse(f));
            }
        }
        return out;
    }

    private static List<HasMetadata> parse(Path file) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.startsWith("apiVersion:"))) {
                objects.add(YAML.unmarshal(doc));
            }
        }
        return objects;
    }

    /**
     * What `kustomize build` would emit, by kind/name: the resources (files, or directories with their own
     * kustomization), with delete patches applied; fails on a missing file, a patch with no target or a duplicate.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, HasMetadata> build(Path kustomization) throws IOException {
        Map<String, Object> k = new org.yaml.snakeyaml.Yaml().load(Files.readString(kustomization));
        assertThat(k.get("kind")).as("%s", kustomization).isEqualTo("Kustomization");
        Map<String, HasMetadata> out = new LinkedHashMap<>();
        for (String resource : (List<String>) k.get("resources")) {
            Path target = kustomization.getParent().resolve(resource).normalize();
            assertThat(target).as("%s: resource %s", kustomization, resource).exists();
            Map<String, HasMetadata> objects = new LinkedHashMap<>();
            if (Files.isDirectory(target)) {
                objects.putAll(build(target.resolve("kustomization.yaml")));
            } else {
                parse(target).forEach(o -> objects.put(o.getKind() + "/" + o.getMetadata().getName(), o));
            }
            objects.forEach(
                    (key, o) -> assertThat(out.put(key, o)).as("%s: %s defined twice", kustomization, key).isNull());
        }
        for (Map<String, Object> patch : (List<Map<String, Object>>) k.getOrDefault("patches", List.of())) {
            Map<String, Object> t = (Map<String, Object>) patch.get("target");
            String key = t.get("kind") + "/" + t.get("name");
            assertThat(out).as("%s: patch target %s", kustomization, key).containsKey(key);
            if (String.valueOf(patch.get("patch")).contains("$patch: delete")) {
                out.remove(key);
            }
        }
        return out;
    }

    /** Environment variables Courier reads: the ${VAR} placeholders, and every property in its env-var spelling. */
    private static Set<String> variablesCourierReads() throws IOException {
        Set<String> names = new HashSet<>(List.of("COURIER_URL")); // the dlq CLI's address of Courier
        // Quarkus's own settings for a client address behind the Ingress (README "Connect links": limits).
        names.addAll(List.of("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED",
                "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES"));
        String text = Files.readString(Path.of("src/main/resources/application.properties"));
        Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        Set<String> properties = new HashSet<>(applicationProperties().stringPropertyNames());
        properties.addAll(mappingProperties().keySet());
        for (String property : properties) {
            if (!property.startsWith("%") && !property.contains("*")) { // a map's own keys are in
                                                                        // application.properties
                names.add(property.toUpperCase().replaceAll("[^A-Z0-9]", "_")); // SmallRye Config's env mapping
            }
        }
        return names;
    }

    /**
     * A setting's value without a profile: application.properties' (map keys, variables), else its mapping's default.
     */
    private static String courierDefault(String property) throws IOException {
        String value = applicationProperties().getProperty(property);
        if (value != null) {
            return value;
        }
        ConfigMappingInterface.Property p = mappingProperties().get(property);
        assertThat(p).as("%s: no @ConfigMapping declares it", property).isNotNull();
        assertThat(p.hasDefaultValue()).as("%s has a default", property).isTrue();
        return p.getDefaultValue();
    }

    /** Every property of Courier's @ConfigMapping interfaces (those under src/main/java), by name. */
    private static Map<String, ConfigMappingInterface.Property> mappingProperties() throws IOException {
        Map<String, ConfigMappingInterface.Property> out = new HashMap<>();
        Path sources = Path.of("src/main/java");
        Pattern mapping = Pattern.compile("@ConfigMapping\\(prefix = \"([^\"]+)\"");
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = mapping.matcher(Files.readString(f));
                if (m.find()) {
                    String name = sources.relativize(f).toString().replace(".java", "").replace('/', '.');
                    try {
                        out.putAll(ConfigMappings
                                .getProperties(new ConfigMappings.ConfigClass(Class.forName(name), m.group(1))));
                    } catch (ClassNotFoundException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(Path.of("src/main/resources/application.properties"))));
        return p;
    }
}
