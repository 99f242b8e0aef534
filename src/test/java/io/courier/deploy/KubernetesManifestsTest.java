package io.courier.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.platform.KafkaClientProperties;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;
import java.io.File;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in k8s/ as kustomize builds them: every kustomization under k8s/ is rendered with
 * {@code kubectl kustomize} (no cluster needed; without kubectl on the PATH the tests that need it are skipped, saying
 * so) and the rendered objects are checked: valid objects (fabric8's model) in Courier's namespace with its label and
 * image, each overlay the base plus one autoscaler, the Deployment hardened as the README says, and every environment
 * variable they set is one Courier reads.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path BASE = K8S.resolve("base");
    private static final Path KEDA = K8S.resolve("overlays/keda");
    private static final Path HPA = K8S.resolve("overlays/hpa");
    /** In no kustomization: applied on its own when a replay is wanted (kubectl -n courier apply -f). */
    private static final Path REPLAY_JOB = K8S.resolve("replay-job.yaml");
    private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(60);
    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final Map<Path, Map<String, HasMetadata>> RENDERED = new HashMap<>();
    /** kubectl on the PATH: {@code kubectl kustomize} is kustomize itself (v5 in kubectl 1.32), no cluster needed. */
    private static final Optional<Path> KUBECTL = Stream
            .of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).filter(d -> !d.isEmpty())
            .map(d -> Path.of(d, "kubectl")).filter(Files::isExecutable).findFirst();
    private static final String NO_KUBECTL = "kubectl is not on the PATH: the kustomizations under k8s/ are not"
            + " rendered, so the checks of what they build are skipped";

    static {
        if (KUBECTL.isEmpty()) {
            System.err.println("KubernetesManifestsTest: " + NO_KUBECTL); // a skip's reason is only in the report
        }
    }

    @Test
    void everyKustomizationRendersValidObjectsInCouriersNamespaceWithItsLabelAndImage() throws Exception {
        assertThat(kustomizations()).contains(K8S, BASE, KEDA, HPA);
        String image = replayJob().getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
        for (Path dir : kustomizations()) {
            Map<String, HasMetadata> objects = render(dir);
            assertThat(objects).as("%s renders", dir).containsKey("Namespace/courier");
            objects.forEach((key, o) -> {
                assertThat(o.getApiVersion()).as("%s: %s apiVersion", dir, key).isNotBlank();
                assertThat(o.getKind()).as("%s: %s kind", dir, key).isNotBlank();
                assertThat(o.getMetadata().getName()).as("%s: %s name", dir, key).isNotBlank();
                assertThat(o.getMetadata().getNamespace()).as("%s: %s namespace (kustomize's)", dir, key)
                        .isEqualTo(o instanceof Namespace ? null : "courier");
                assertThat(o.getMetadata().getLabels()).as("%s: %s labels", dir, key)
                        .containsEntry("app.kubernetes.io/part-of", "courier");
                if (o instanceof GenericKubernetesResource custom) {
                    assertThat(custom.getApiVersion()).as("%s: %s is a custom resource of a known operator", dir, key)
                            .matches("(keda\\.sh|monitoring\\.coreos\\.com|kafka\\.strimzi\\.io)/v1(alpha1|beta2)?");
                }
                if (o instanceof Deployment d) {
                    assertThat(d.getSpec().getTemplate().getSpec().getContainers()).extracting(Container::getImage)
                            .as("%s: %s's image, set by the images transformer (the replay Job's)", dir, key)
                            .containsOnly(image);
                }
            });
        }
    }

    @Test
    void eachOverlayIsTheBasePlusOneAutoscalerAndK8sIsTheKedaOverlay() throws Exception {
        Map<String, HasMetadata> base = render(BASE);
        assertThat(base).containsKeys("Namespace/courier", "Deployment/courier", "Service/courier",
                "ConfigMap/courier-config", "Secret/courier-secrets", "PodDisruptionBudget/courier",
                "NetworkPolicy/courier", "NetworkPolicy/courier-admin-clients", "ServiceMonitor/courier",
                "PrometheusRule/courier-alerts", "ConfigMap/courier-grafana-dashboard", "KafkaUser/courier",
                "KafkaUser/courier-producer", "KafkaUser/courier-results-reader");
        assertThat(base.values()).extracting(HasMetadata::getKind).as("the base has no autoscaler")
                .doesNotContain("ScaledObject", "HorizontalPodAutoscaler");
        assertThat(addedTo(base, KEDA)).containsOnlyKeys("ScaledObject/courier");
        assertThat(addedTo(base, HPA)).containsOnlyKeys("HorizontalPodAutoscaler/courier");
        int replicas = ((Deployment) base.get("Deployment/courier")).getSpec().getReplicas();
        var scaledObject = (GenericKubernetesResource) render(KEDA).get("ScaledObject/courier");
        assertThat(scaledObject.<String>get("spec", "scaleTargetRef", "name")).isEqualTo("courier");
        assertThat(scaledObject.<Integer>get("spec", "minReplicaCount")).isEqualTo(replicas);
        var hpa = ((HorizontalPodAutoscaler) render(HPA).get("HorizontalPodAutoscaler/courier")).getSpec();
        assertThat(hpa.getScaleTargetRef().getKind() + "/" + hpa.getScaleTargetRef().getName())
                .isEqualTo("Deployment/courier");
        assertThat(hpa.getMinReplicas()).isEqualTo(replicas);
        assertThat(render(K8S)).as("kubectl apply -k k8s/ applies the keda overlay").isEqualTo(render(KEDA));
    }

    @Test
    void everyManifestIsInTheKustomizationsButTheReplayJob() throws Exception {
        Set<String> rendered = new HashSet<>();
        for (Path dir : kustomizations()) {
            rendered.addAll(render(dir).keySet());
        }
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !isKustomization(p)
                    && !p.equals(REPLAY_JOB)).sorted().toList()) {
                assertThat(parse(Files.readString(f)).stream().map(KubernetesManifestsTest::key))
                        .as("%s's objects, all in a kustomization", f).isNotEmpty().isSubsetOf(rendered);
            }
        }
        assertThat(rendered).as("the replay Job runs when applied: not with the rest").doesNotContain(key(replayJob()));
    }

    @Test
    void theDeploymentIsHardenedAndDrainsWithinItsGracePeriod() throws Exception {
        Map<String, HasMetadata> base = render(BASE);
        Deployment d = (Deployment) base.get("Deployment/courier");
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
        ConfigMap config = (ConfigMap) base.get("ConfigMap/courier-config");
        Duration drain = Duration.parse("PT" + config.getData().getOrDefault("COURIER_WORKER_DRAIN_TIMEOUT",
                courierDefault("courier.worker.drain-timeout")).toUpperCase());
        // Running jobs get the drain timeout, then up to 10 s to commit and close (PollLoop.stop).
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(drain.plusSeconds(10).toSeconds());
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    }

    @Test
    void everyEnvironmentVariableIsOneCourierReads() throws Exception {
        Set<String> known = variablesCourierReads();
        Set<String> used = new HashSet<>();
        List<HasMetadata> objects = new ArrayList<>(List.of(replayJob()));
        for (Path dir : kustomizations()) {
            objects.addAll(render(dir).values());
        }
        objects.forEach(o -> {
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
    void egressGoesOnlyToKafkaRedisPostgresDnsAndLinkedIn() throws Exception {
        NetworkPolicy policy = (NetworkPolicy) render(BASE).get("NetworkPolicy/courier");
        assertThat(policy.getSpec().getPolicyTypes()).contains("Egress");
        Set<Integer> ports = new HashSet<>();
        policy.getSpec().getEgress().forEach(rule -> rule.getPorts().forEach(p -> ports.add(p.getPort().getIntVal())));
        assertThat(ports).containsExactlyInAnyOrder(53, 9093, 6379, 5432, 443);
    }

    @Test
    void port8080IsOpenOnlyToTheIngressControllerPrometheusAndTheReplayJob() throws Exception {
        Map<String, HasMetadata> base = render(BASE);
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
    void noPodMountsAServiceAccountToken() throws Exception {
        Deployment d = (Deployment) render(BASE).get("Deployment/courier");
        assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(replayJob().getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(replayJob().getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void theManifestsConnectOverTlsWithSecretsFromMountedVolumes() throws Exception {
        Map<String, HasMetadata> base = render(BASE);
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
        assertThat(lines).anyMatch(l -> l.startsWith("ENTRYPOINT [\"java\""));
    }

    @Test
    void alertsAndTopicsCoverWhatCourierNeeds() throws Exception {
        Map<String, HasMetadata> base = render(BASE);
        JsonNode rules = YAML.convertValue(base.get("PrometheusRule/courier-alerts"), JsonNode.class);
        assertThat(rules.path("spec").findValuesAsText("alert")).contains("CourierReauthRequiredSpike",
                "CourierAppCredentialsRefused", "CourierDeadLetterRate", "CourierLinkedInCircuitOpen",
                "CourierConsumerLagGrowing", "CourierDeadLetterIndexerBehind", "CourierDeadLetterIndexerStalled",
                "CourierLinkedInVersionInactive", "CourierLinkedInVersionSunsetSoon");
        Set<String> topics = base.values().stream().filter(o -> o.getKind().equals("KafkaTopic"))
                .map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
        Set<String> expected = new HashSet<>(
                List.of(courierDefault("courier.topics.post"), courierDefault("courier.topics.sync"),
                        courierDefault("courier.topics.dead-letter"), courierDefault("courier.topics.results"),
                        courierDefault("courier.topics.auth-events")));
        for (String tier : courierDefault("courier.retry.tiers").split(",")) {
            expected.add(courierDefault("courier.retry.topic-prefix") + tier.trim());
        }
        assertThat(topics).isEqualTo(expected);
    }

    private static Job replayJob() throws IOException {
        return (Job) parse(Files.readString(REPLAY_JOB)).getFirst();
    }

    /** The directories under k8s/ with a kustomization, k8s/ itself first. */
    private static List<Path> kustomizations() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(KubernetesManifestsTest::isKustomization).map(Path::getParent).sorted().toList();
        }
    }

    private static boolean isKustomization(Path file) {
        return Set.of("kustomization.yaml", "kustomization.yml", "Kustomization")
                .contains(file.getFileName().toString());
    }

    /** What an overlay adds to the base, whose objects it holds unchanged. */
    private static Map<String, HasMetadata> addedTo(Map<String, HasMetadata> base, Path overlay) throws Exception {
        Map<String, HasMetadata> added = new LinkedHashMap<>(render(overlay));
        assertThat(added).as("%s holds the base's objects unchanged", overlay).containsAllEntriesOf(base);
        added.keySet().removeAll(base.keySet());
        return added;
    }

    /**
     * {@code kubectl kustomize dir}, by kind/name (once per directory); skips the test, naming kubectl, where it is not
     * on the PATH. The wait ends after KUBECTL_TIMEOUT (Process.waitFor), then kubectl is killed and the test fails.
     */
    private static Map<String, HasMetadata> render(Path dir) throws IOException, InterruptedException {
        assumeTrue(KUBECTL.isPresent(), NO_KUBECTL);
        if (RENDERED.containsKey(dir)) {
            return RENDERED.get(dir);
        }
        File out = File.createTempFile("kustomize", ".yaml");
        File err = File.createTempFile("kustomize", ".err");
        out.deleteOnExit();
        err.deleteOnExit();
        Process p = new ProcessBuilder(KUBECTL.get().toString(), "kustomize", dir.toString()).redirectOutput(out)
                .redirectError(err).start();
        if (!p.waitFor(KUBECTL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("kubectl kustomize %s: not done within %s, killed", dir, KUBECTL_TIMEOUT);
        }
        assertThat(p.exitValue()).as("kubectl kustomize %s: %s", dir, Files.readString(err.toPath()).strip()).isZero();
        Map<String, HasMetadata> objects = new LinkedHashMap<>();
        parse(Files.readString(out.toPath()))
                .forEach(o -> assertThat(objects.put(key(o), o)).as("%s: %s defined twice", dir, key(o)).isNull());
        RENDERED.put(dir, objects);
        return objects;
    }

    private static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.startsWith("apiVersion:"))) {
                objects.add(YAML.unmarshal(doc));
            }
        }
        return objects;
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
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
