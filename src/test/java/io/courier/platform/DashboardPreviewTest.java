package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.testkit.Chromium;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.Processes;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Grafana dashboard against a real Prometheus (Debian's; there is no Grafana to install): Prometheus scrapes this
 * test's Courier every second while it does successes, refreshes, retries, dead letters and re-auths for about 25 s;
 * every panel's query, with Grafana's variables replaced, must run in Prometheus and answer, and the panels the
 * traffic moves must show it. Then a test-only page (src/test/resources/dashboard-preview/) draws the panels at their
 * gridPos from those answers in headless Chromium, kept as docs/grafana-dashboard-preview.png: a preview drawn from
 * the dashboard's JSON, not Grafana's own rendering.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class DashboardPreviewTest extends MetricsTestSupport {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PAGE = Path.of("target/dashboard-preview");
    private static final Path LOG = Path.of("target/prometheus.log");
    private static final Duration SCRAPE = Duration.ofSeconds(1);
    private static final Duration STEP = Duration.ofSeconds(2);
    private static final Duration TRAFFIC = Duration.ofSeconds(25);
    /**
     * A panel that reads one of these must show a value above zero: the traffic makes them move. No panel may be
     * empty: every other one must answer with at least one series (its metrics exist once Courier has started and
     * called LinkedIn), but may stay at zero here, as lag, loop restarts, records without output, producer errors
     * and open breakers need something to break, and the indexer keeps up with a handful of dead letters.
     */
    private static final Set<String> MOVED_BY_TRAFFIC = Set.of("courier_jobs_total",
            "courier_job_duration_seconds_bucket", "courier_retries_total", "courier_dead_letters_total",
            "courier_token_refreshes_total", "courier_linkedin_429_total", "courier_reauth_required_total",
            "courier_account_events_total");
    /** $name, ${name}, ${name:format}, [[name]]: Grafana's ways of writing a variable. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)]]|\\$(\\w+)");

    @Test
    void everyPanelQueryRunsInPrometheusAndThePanelsAreDrawn() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS),
                "no Prometheus here: install Debian's prometheus (.ci/run does) to check the dashboard's queries");
        Instant start = Instant.now();
        ObjectNode dashboard = (ObjectNode) JSON.readTree(DASHBOARD.toFile());
        List<String> problems;
        int port = CourierJar.freePort();
        Process prometheus = startPrometheus(port);
        try {
            // Ends when Prometheus is ready and has scraped Courier once, when it exits, or after 30 s.
            await("Prometheus ready, Courier scraped").atMost(Duration.ofSeconds(30))
                    .failFast("Prometheus exited; its log is " + LOG, () -> !prometheus.isAlive()).ignoreExceptions()
                    .until(() -> api(port).get("/-/ready").statusCode() == 200 && "1".equals(api(port)
                            .queryParam("query", "up").get("/api/v1/query").jsonPath()
                            .getString("data.result[0].value[1]")));
            Instant until = Instant.now().plus(TRAFFIC);
            do {
                everyOutcome();
            } while (Instant.now().isBefore(until));
            Thread.sleep(SCRAPE.multipliedBy(3).toMillis()); // the last round's counters and account event scraped
            problems = runEveryQuery(port, dashboard, start, Instant.now());
        } finally {
            Processes.stop(prometheus, Duration.ofSeconds(5));
        }
        assertThat(problems).as("dashboard queries that Prometheus refused or that show nothing (its log: %s; "
                + "the answers: %s)", LOG, PAGE.resolve("data.js")).isEmpty();

        Assumptions.assumeTrue(Chromium.installed(),
                "every panel query ran in Prometheus; no Chromium here (Debian's chromium and chromium-driver; "
                        + ".ci/run installs them): the preview was not drawn");
        draw(dashboard);
    }

    /**
     * Runs every panel target's query over the range and keeps the answer in the target ("query", "series") for the
     * page, written to data.js; returns what is wrong with them.
     */
    private static List<String> runEveryQuery(int port, ObjectNode dashboard, Instant start, Instant end)
            throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, String> variables = variables(dashboard, start, end);
        for (JsonNode panel : dashboard.findParents("targets")) {
            for (JsonNode target : panel.path("targets")) {
                String where = "panel '%s' target %s `%s`".formatted(panel.path("title").asText(),
                        target.path("refId").asText(), target.path("expr").asText());
                String query = substitute(target.path("expr").asText(), variables);
                JsonNode answer = JSON.readTree(api(port).queryParam("query", query)
                        .queryParam("start", start.getEpochSecond()).queryParam("end", end.getEpochSecond())
                        .queryParam("step", STEP.toSeconds() + "s").get("/api/v1/query_range").asString());
                ((ObjectNode) target).put("query", query).set("series", answer.path("data").path("result"));
                problems.addAll(check(where, query, answer));
            }
        }
        String version = api(port).get("/api/v1/status/buildinfo").jsonPath().getString("data.version");
        writeData(dashboard, version, start, end);
        return problems;
    }

    /** The page in Chromium, every panel drawn, kept as docs/grafana-dashboard-preview.png. */
    private static void draw(JsonNode dashboard) throws Exception {
        WebDriver browser = Chromium.start();
        try {
            browser.get(PAGE.resolve("index.html").toAbsolutePath().toUri().toString());
            JavascriptExecutor page = (JavascriptExecutor) browser;
            String state = new WebDriverWait(browser, Duration.ofSeconds(20))
                    .until(b -> (String) page.executeScript("return document.body.dataset.state || null"));
            assertThat(state).as("the preview page").isEqualTo("drawn");
            assertThat(browser.findElements(By.cssSelector(".panel"))).as("panels drawn")
                    .hasSize(dashboard.path("panels").size());
            Chromium.viewWholePage(browser);
            Chromium.screenshot(browser, "grafana-dashboard-preview.png");
        } finally {
            browser.quit();
        }
    }

    /** What is wrong with one target's answer: refused, no series, or (for a metric the traffic moves) all zero. */
    private static List<String> check(String where, String query, JsonNode answer) {
        if (!"success".equals(answer.path("status").asText())) {
            String sent = where.endsWith("`" + query + "`") ? "" : " as sent `" + query + "`";
            return List.of("%s%s: %s %s".formatted(where, sent, answer.path("errorType").asText(),
                    answer.path("error").asText(answer.toString())));
        }
        JsonNode series = answer.path("data").path("result");
        if (series.isEmpty()) {
            return List.of(where + ": no series");
        }
        boolean moved = false;
        for (JsonNode s : series) {
            for (JsonNode point : s.path("values")) {
                double v = Double.parseDouble(point.get(1).asText().replace("Inf", "Infinity")); // "+Inf", "NaN"
                moved |= Double.isFinite(v) && v > 0;
            }
        }
        boolean mustMove = metricNames(query).stream().anyMatch(MOVED_BY_TRAFFIC::contains);
        return mustMove && !moved ? List.of(where + ": the traffic made it move, yet it shows only zeros") : List.of();
    }

    /**
     * Grafana's built-in variables for this range and step, and the dashboard's own: a constant, textbox or interval
     * its value; any other (label values such as $namespace or $pod) {@code .*}, which Grafana sends for "All" and
     * which matches this single Courier, whose series lack those labels.
     */
    private static Map<String, String> variables(JsonNode dashboard, Instant start, Instant end) {
        long range = Duration.between(start, end).toSeconds();
        Map<String, String> values = new HashMap<>(Map.of("__interval", STEP.toSeconds() + "s", "__interval_ms",
                String.valueOf(STEP.toMillis()), "__range", range + "s", "__range_s", String.valueOf(range),
                "__range_ms", String.valueOf(range * 1000),
                // Grafana: max($__interval + scrape interval, 4 * scrape interval)
                "__rate_interval", Math.max(STEP.plus(SCRAPE).toSeconds(), 4 * SCRAPE.toSeconds()) + "s"));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String value = switch (variable.path("type").asText()) {
                case "constant", "textbox", "interval" -> variable.path("current").path("value")
                        .asText(variable.path("query").asText().split(",")[0]);
                case "datasource" -> "prometheus";
                default -> ".*";
            };
            values.put(variable.path("name").asText(), value);
        }
        return values;
    }

    /** The query with its variables replaced; one Grafana does not know it leaves as written, and so does this. */
    static String substitute(String expr, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            m.appendReplacement(out, Matcher.quoteReplacement(variables.getOrDefault(name, m.group())));
        }
        return m.appendTail(out).toString();
    }

    /** Scrapes this test's Courier every second; its data in a fresh directory under target/. */
    private static Process startPrometheus(int port) throws IOException {
        Path dir = Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(dir, "prometheus-");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: %ds
                scrape_configs:
                  - job_name: courier
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(SCRAPE.toSeconds(), RestAssured.port));
        return new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(LOG.toFile()).start();
    }

    private static RequestSpecification api(int port) {
        return RestAssured.given().baseUri("http://127.0.0.1").port(port);
    }

    /** The page and its data next to it: Chromium runs a script file:// gives it, but fetches nothing from file://. */
    private static void writeData(JsonNode dashboard, String version, Instant start, Instant end) throws IOException {
        Files.createDirectories(PAGE);
        for (String file : List.of("index.html", "preview.js")) {
            try (InputStream in = DashboardPreviewTest.class.getResourceAsStream("/dashboard-preview/" + file)) {
                Files.copy(in, PAGE.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ObjectNode data = JSON.createObjectNode().put("source", DASHBOARD.toString()).put("prometheus", version)
                .put("start", start.getEpochSecond()).put("end", end.getEpochSecond())
                .put("step", STEP.toSeconds());
        data.set("dashboard", dashboard);
        Files.writeString(PAGE.resolve("data.js"), "window.PREVIEW = " + data + ";\n");
    }
}
