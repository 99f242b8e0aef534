package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Courier emits is what the tools that read it accept, and what its dashboard and alerts ask for exists: a
 * running Courier does a success, a refresh, a retry, a dead letter and a re-auth; then its /q/metrics is read with
 * promtool, every query of the Grafana dashboard and of k8s/base/alerts.yaml is checked against it, the alert rules go
 * through promtool, and the account events through the CloudEvents SDK.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class MetricsContractTest extends MetricsTestSupport {

    private static final Path ALERTS = Path.of("k8s/base/alerts.yaml");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private static String exposition;
    private static String reauthAccount;

    @BeforeEach
    void exercise() throws Exception {
        if (exposition != null) {
            return;
        }
        reauthAccount = everyOutcome();
        // Every type is exported at 0 from the start: wait for the re-auth event to be counted.
        await().atMost(WAIT).until(() -> java.util.regex.Pattern
                .compile("courier_account_events_total\\{type=\"courier.account.reauth-required\",?} [1-9]")
                .matcher(metrics()).find());
        exposition = metrics();
        Files.writeString(Path.of("target/metrics-exposition.txt"), exposition); // to read when a check fails
    }

    @Test
    void everyCourierMetricHasHelpText() {
        Set<String> families = new TreeSet<>();
        Set<String> helped = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE courier_")) {
                families.add(line.split(" ")[2]);
            } else if (line.startsWith("# HELP courier_") && line.split(" ", 4).length == 4
                    && !line.split(" ", 4)[3].isBlank()) {
                helped.add(line.split(" ")[2]);
            }
        }
        assertThat(families).hasSizeGreaterThan(15);
        assertThat(families).as("courier_* families without help text").isSubsetOf(helped);
    }

    @Test
    void countersOfEveryLabelExistBeforeTheirFirstEvent() {
        // A series born at its first increment loses that increment to rate(): these exist at 0 from the start.
        for (io.courier.retry.ErrorClass c : io.courier.retry.ErrorClass.values()) {
            assertThat(exposition).contains("courier_dead_letters_total{class=\"" + c.name() + "\"");
        }
        assertThat(exposition).contains("courier_retries_total{class=\"SERVER_ERROR\",tier=\"1h\"",
                "courier_linkedin_429_total{class=\"QUOTA_EXHAUSTED\"",
                "courier_token_refreshes_total{outcome=\"dead_grant\"",
                "courier_account_events_total{type=\"courier.account.permission-lost\"");
    }

    @Test
    void promtoolAcceptsCouriersMetrics() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL),
                "promtool not installed (Debian's prometheus package; .ci/run installs it): not checked");
        StringBuilder courier = new StringBuilder();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("courier_") || line.startsWith("# HELP courier_")
                    || line.startsWith("# TYPE courier_")) {
                courier.append(line).append('\n');
            }
        }
        Result check = run(courier.toString(), PROMTOOL.toString(), "check", "metrics");
        assertThat(check.output()).as("promtool check metrics").isBlank();
        assertThat(check.exit()).isZero();
    }

    @Test
    void theDashboardAsksOnlyForMetricsCourierExports() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
        assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
        assertThat(queries.stream().flatMap(q -> metricNames(q).stream()).distinct().count()).as("names read")
                .isGreaterThanOrEqualTo(20);
        assertThat(metricNames("sum by (class) (increase(courier_dead_letters_total{x=\"a\"}[1h])) / 1e9"))
                .containsExactly("courier_dead_letters_total");
        assertThat(missing(queries)).as("metrics the dashboard queries that /q/metrics does not have").isEmpty();
        String configMap = Files.readString(DASHBOARD.resolveSibling("dashboard-configmap.yaml"));
        JsonNode embedded = new ObjectMapper().readTree(new ObjectMapper(new YAMLFactory()).readTree(configMap)
                .path("data").path("courier.json").asText());
        assertThat(embedded).as("the ConfigMap holds the same dashboard").isEqualTo(dashboard);
    }

    @Test
    void theAlertRulesPassPromtoolAndAskOnlyForExportedMetrics() throws Exception {
        JsonNode rule = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
        List<String> queries = new ArrayList<>();
        rule.path("spec").findValues("expr").forEach(e -> queries.add(e.asText()));
        assertThat(queries).isNotEmpty();
        assertThat(missing(queries)).as("metrics the alerts query that /q/metrics does not have").isEmpty();
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "promtool not installed: rules not checked by it");
        Path rules = Files.createTempFile("courier-rules", ".yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(rules.toFile(), rule.path("spec"));
        Result check = run("", PROMTOOL.toString(), "check", "rules", rules.toString());
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void accountEventsParseWithTheCloudEventsSdk() {
        List<ConsumerRecord<String, byte[]>> events = kafka.await("linkedin.auth.events",
                r -> KafkaTestClient.text(r).contains(reauthAccount), 1, WAIT);
        CloudEvent event = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE)
                .deserialize(events.get(0).value());
        assertThat(event.getSpecVersion().toString()).isEqualTo("1.0");
        assertThat(event.getType()).endsWith("reauth-required");
        assertThat(event.getId()).isNotBlank();
        assertThat(event.getSource()).isNotNull();
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(new String(event.getData().toBytes(), StandardCharsets.UTF_8)).contains(reauthAccount);
    }

    /** The metric names the queries use that the exposition has no series of. */
    private static Set<String> missing(List<String> queries) {
        Set<String> exported = new LinkedHashSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }
        Set<String> missing = new TreeSet<>();
        for (String query : queries) {
            for (String name : metricNames(query)) {
                if (!exported.contains(name)) {
                    missing.add(name);
                }
            }
        }
        return missing;
    }

    /** The Prometheus text format (0.0.4), what promtool reads; asked for any type, Quarkus answers OpenMetrics. */
    private static String metrics() {
        return RestAssured.given().accept("text/plain; version=0.0.4; charset=utf-8").get("/q/metrics").asString();
    }

    private record Result(int exit, String output) {}

    private static Result run(String stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
