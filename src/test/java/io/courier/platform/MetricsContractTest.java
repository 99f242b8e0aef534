package io.courier.platform;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.courier.auth.TokenStore;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.courier.testkit.SimulatorControl;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Courier emits is what the tools that read it accept, and what its dashboard and alerts ask for exists: a
 * running Courier does a success, a refresh, a retry, a dead letter and a re-auth; then its /q/metrics is read with
 * promtool, every query of k8s/grafana/courier.json and k8s/alerts.yaml is checked against it, the alert rules go
 * through promtool, and the account events through the CloudEvents SDK.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class MetricsContractTest extends PipelineTestSupport {

    private static final Path DASHBOARD = Path.of("k8s/grafana/courier.json");
    private static final Path ALERTS = Path.of("k8s/alerts.yaml");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    /** PromQL's functions, aggregations and keywords: every other identifier outside braces is a metric name. */
    private static final Set<String> PROMQL = Set.of("sum", "min", "max", "avg", "count", "rate", "irate", "increase",
            "deriv", "delta", "histogram_quantile", "by", "without", "and", "or", "unless", "on", "ignoring",
            "group_left", "group_right", "topk", "bottomk", "clamp_min", "clamp_max", "abs", "time", "vector",
            "label_replace", "absent", "offset", "bool", "le", "avg_over_time", "max_over_time", "min_over_time");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private static String exposition;
    private static String reauthAccount;

    @Inject
    TokenStore tokens;

    @BeforeEach
    void exercise() throws Exception {
        if (exposition != null) {
            return;
        }
        Connected account = connect(simulator, "{}");
        simulator.fault(SimulatorControl.EXPIRED_ACCESS_TOKEN_ON_POST);
        String post = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), job(post, "post.create", account.accountId(), """
                {"author":"%s","commentary":"metrics %s"}""".formatted(account.memberUrn(), post)));
        assertThat(resultOf(post).get("status").asText()).isEqualTo("SUCCEEDED");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","status":429,"times":1}""");
        String sync = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.sync", account.accountId(), job(sync, "sync.profile", account.accountId(), "{}"));
        assertThat(resultOf(sync).get("status").asText()).isEqualTo("SUCCEEDED");
        String stranger = "metrics-stranger-" + UUID.randomUUID();
        String invalid = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.sync", stranger, job(invalid, "sync.profile", stranger, "{}"));
        assertThat(resultOf(invalid).get("status").asText()).isEqualTo("DEAD_LETTERED");
        Connected revoked = connect(simulator, "{}");
        tokens.markReauthRequired(revoked.accountId(), "test: revoked", Optional.of("REVOKED_ACCESS_TOKEN"));
        reauthAccount = revoked.accountId();
        await().atMost(WAIT).until(() -> metrics().contains("courier_account_events_total{"));
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
        String configMap = Files.readString(Path.of("k8s/grafana/dashboard-configmap.yaml"));
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

    /** Identifiers of a PromQL query that are metric names: not inside {} () after by/without, [] or quotes. */
    static Set<String> metricNames(String query) {
        String bare = query.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "").replaceAll("(by|without|on|ignoring)\\s*\\([^)]*\\)", "")
                .replaceAll("\\$\\w+", "");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String token = m.group();
            if (!PROMQL.contains(token) && !token.matches("[0-9eE]+") && !token.matches("\\d+[smhdw]")) {
                names.add(token);
            }
        }
        return names;
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
