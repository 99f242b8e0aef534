package io.courier.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.linkedin.LinkedInClient;
import io.courier.retry.ErrorClass;
import io.courier.simulator.LinkedInSimulator;
import io.courier.simulator.SimulatorOptions;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * LinkedInOperation is the one declaration of what Courier asks of LinkedIn; every other place that names an
 * operation or a job type must agree with it, and here is where a newcomer who skipped a step finds out
 * (README "Adding a job type").
 */
class LinkedInOperationsTest {

    private static final Path RESOURCES = Path.of("src/main/resources");

    @Test
    void everyJobTypeCallsOneDeclaredOperation() {
        for (JobType type : JobType.values()) {
            assertThat(Arrays.stream(LinkedInOperation.values()).filter(op -> op.jobType == type && !op.supporting))
                    .as("operations of %s", type).hasSize(1);
            assertThat(LinkedInOperation.calledBy(type).jobType).isEqualTo(type);
        }
    }

    @Test
    void namesAreWrittenOnce() {
        List<LinkedInOperation> ops = List.of(LinkedInOperation.values());
        assertThat(ops.stream().map(op -> op.endpoint).distinct()).hasSameSizeAs(ops);
        assertThat(ops.stream().map(op -> op.configKey).distinct()).hasSameSizeAs(ops);
        assertThat(ops.stream().map(op -> op.breaker).distinct()).hasSameSizeAs(ops);
        ops.forEach(op -> assertThat(op.path).startsWith("/"));
        assertThat(ops.stream().filter(op -> op.mutation)).containsExactly(LinkedInOperation.POSTS_CREATE,
                LinkedInOperation.IMAGES_INITIALIZE, LinkedInOperation.VIDEOS_INITIALIZE,
                LinkedInOperation.VIDEOS_FINALIZE, LinkedInOperation.DOCUMENTS_INITIALIZE,
                LinkedInOperation.COMMENTS_CREATE);
    }

    @Test
    void eachOperationHasExactlyOneBreakerOnTheClientAndTheClientNoOther() {
        List<String> onClient = new ArrayList<>();
        for (Method m : LinkedInClient.class.getDeclaredMethods()) {
            CircuitBreakerName name = m.getAnnotation(CircuitBreakerName.class);
            if (name != null) {
                onClient.add(name.value());
            }
        }
        assertThat(onClient).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(LinkedInOperation.values()).map(op -> op.breaker).toList());
    }

    @Test
    void theSchemaKnowsEveryJobTypeAndNoOther() throws IOException {
        JsonNode schema = new ObjectMapper()
                .readTree(RESOURCES.resolve("META-INF/resources/schemas/job.schema.json").toFile());
        Set<String> wire = Arrays.stream(JobType.values()).map(JobType::wireName).collect(Collectors.toSet());
        wire.add(Validation.Cancel.TYPE); // the control message: a record type of its own, with no payload
        Set<String> inEnum = new HashSet<>();
        schema.at("/properties/type/enum").forEach(t -> inEnum.add(t.asText()));
        assertThat(inEnum).isEqualTo(wire);
        Set<String> withPayload = new HashSet<>();
        schema.get("allOf").forEach(branch -> withPayload.add(branch.at("/if/properties/type/const").asText()));
        assertThat(withPayload).as("a payload schema per job type").isEqualTo(wire);
    }

    @Test
    void everyOperationHasItsBudgetsAndNoBudgetIsForAnUnknownOne() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(RESOURCES.resolve("application.properties"))));
        Set<String> keys = new HashSet<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("courier.quota.resources.")) {
                keys.add(name.substring("courier.quota.resources.".length()).split("\\.")[0]);
            }
        }
        Set<String> declared = Arrays.stream(LinkedInOperation.values()).map(op -> op.configKey)
                .collect(Collectors.toSet());
        assertThat(keys).isEqualTo(declared);
        for (String key : declared) {
            assertThat(p).containsKeys("courier.quota.resources." + key + ".app-daily",
                    "courier.quota.resources." + key + ".member-daily");
        }
    }

    @Test
    void theOpsPageListsNoJobTypeOrErrorClassOfItsOwn() throws IOException {
        String page = Files.readString(RESOURCES.resolve("META-INF/resources/ops/index.html"))
                + Files.readString(RESOURCES.resolve("META-INF/resources/ops/ops.js"));
        Arrays.stream(JobType.values()).forEach(t -> assertThat(page).doesNotContain(">" + t.wireName() + "<"));
        Arrays.stream(ErrorClass.values()).forEach(c -> assertThat(page).doesNotContain("\"" + c.name() + "\""));
    }

    @Test
    void theReadmeHasARowPerJobTypeNamingItsCall() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        for (LinkedInOperation op : LinkedInOperation.values()) {
            if (op.supporting) {
                continue;
            }
            assertThat(readme).as("README's row of %s", op.jobType.wireName())
                    .contains("| `" + op.jobType.wireName() + "` | `" + op.method + " " + op.path);
        }
    }

    @Test
    void theSimulatorServesEveryOperation() throws Exception {
        try (LinkedInSimulator sim = LinkedInSimulator.start(SimulatorOptions.defaults().withPort(0))) {
            HttpClient http = HttpClient.newHttpClient();
            for (LinkedInOperation op : LinkedInOperation.values()) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl()
                        + op.path.replace("{urn}", "urn%3Ali%3Ashare%3A1") + (op.mutation ? "" : "?q=x")))
                        .header("Authorization", "Bearer not-a-token")
                        .header("LinkedIn-Version", "202611").header("X-Restli-Protocol-Version", "2.0.0");
                request.method(op.method, op.mutation
                        ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody());
                int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                assertThat(status).as("the simulator's answer to %s %s (an unknown token)", op.method, op.path)
                        .isEqualTo(401);
            }
        }
    }
}
