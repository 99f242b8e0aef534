package io.courier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        for (Path kustomization : List.of(K8S.resolve("kustomization.yaml"), K8S.resolve("hpa-fallback/kustomization.yaml"))) {
            Map<String, HasMetadata> built = build(kustomization);
            assertThat(built).as("%s builds", kustomization).isNotEmpty();
        }
        Map<String, HasMetadata> base = build(K8S.resolve("kustomization.yaml"));
        assertThat(base).containsKeys("Deployment/courier", "Service/courier", "ConfigMap/courier-config",
                "Secret/courier-secrets", "PodDisruptionBudget/courier", "ScaledObject/courier", "NetworkPolicy/courier",
                "ServiceMonitor/courier", "PrometheusRule/courier-alerts");
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
                applicationProperties().getProperty("courier.worker.drain-timeout")).toUpperCase());
        // Running jobs get the drain timeout, then up to 10 s to commit and close (PollLoop.stop).
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(drain.plusSeconds(10).toSeconds());
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    }

    @Test
    void everyEnvironmentVariableIsOneCourierReads() throws IOException {
        Set<String> known = variablesCourierReads();
        Set<String> used = new HashSet<>();
        manifests().values().stream().flatMap(List::stream).forEach(o -> {
            if (o instanceof ConfigMap cm) {
                used.addAll(cm.getData().keySet());
            } else if (o instanceof Secret s) {
                used.addAll(s.getStringData().keySet());
                assertThat(s.getStringData().values()).as("the Secret is a template: no real values").allMatch("REPLACE_ME"::equals);
            } else if (o instanceof Deployment d) {
                d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> c.getEnv().forEach(e -> used.add(e.getName())));
            } else if (o instanceof Job j) {
                j.getSpec().getTemplate().getSpec().getContainers().forEach(c -> c.getEnv().forEach(e -> used.add(e.getName())));
            }
        });
        assertThat(used).isNotEmpty();
        assertThat(known).containsAll(used);
    }

    @Test
    void egressGoesOnlyToKafkaRedisPostgresDnsAndLinkedIn() throws IOException {
        NetworkPolicy policy = (NetworkPolicy) build(K8S.resolve("kustomization.yaml")).get("NetworkPolicy/courier");
        assertThat(policy.getSpec().getPolicyTypes()).contains("Egress");
        Set<Integer> ports = new HashSet<>();
        policy.getSpec().getEgress().forEach(rule -> rule.getPorts().forEach(p -> ports.add(p.getPort().getIntVal())));
        assertThat(ports).containsExactlyInAnyOrder(53, 9092, 6379, 5432, 443);
    }

    @Test
    void alertsAndTopicsCoverWhatCourierNeeds() throws IOException {
        String alerts = Files.readString(K8S.resolve("alerts.yaml"));
        for (String alert : List.of("CourierReauthRequiredSpike", "CourierAppCredentialsRefused", "CourierDeadLetterRate",
                "CourierLinkedInCircuitOpen", "CourierConsumerLagGrowing", "CourierDeadLetterIndexerBehind",
                "CourierDeadLetterIndexerStalled")) {
            assertThat(alerts).contains("alert: " + alert);
        }
        Set<String> topics = new HashSet<>();
        manifests().get(K8S.resolve("kafka-topics.yaml")).forEach(t -> topics.add(t.getMetadata().getName()));
        Properties app = applicationProperties();
        Set<String> expected = new HashSet<>(List.of(app.getProperty("courier.topics.post"), app.getProperty("courier.topics.sync"),
                app.getProperty("courier.topics.dead-letter"), app.getProperty("courier.topics.results"),
                app.getProperty("courier.topics.auth-events")));
        for (String tier : app.getProperty("courier.retry.tiers").split(",")) {
            expected.add(app.getProperty("courier.retry.topic-prefix") + tier.trim());
        }
        assertThat(topics).isEqualTo(expected);
        String dockerfile = Files.readString(Path.of("deploy/Dockerfile"));
        assertThat(dockerfile).contains("USER 10001").contains("ENTRYPOINT [\"java\"");
    }

    /** Every YAML document under k8s/ except kustomizations, by file. */
    private static Map<Path, List<HasMetadata>> manifests() throws IOException {
        Map<Path, List<HasMetadata>> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
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
            objects.forEach((key, o) -> assertThat(out.put(key, o)).as("%s: %s defined twice", kustomization, key).isNull());
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
        String text = Files.readString(Path.of("src/main/resources/application.properties"));
        Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        for (String property : applicationProperties().stringPropertyNames()) {
            if (!property.startsWith("%")) {
                names.add(property.toUpperCase().replaceAll("[^A-Z0-9]", "_")); // SmallRye Config's env mapping
            }
        }
        return names;
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(Path.of("src/main/resources/application.properties"))));
        return p;
    }
}
