package io.courier.bench;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * End-to-end throughput of Courier against a bare "consume, call LinkedIn, commit" loop with as many LinkedIn calls
 * in flight, both in the same run against the same simulator latency. Not a test: run it with {@code deploy/bench}
 * ({@code ./mvnw verify -Pbench}); it prints the ratio and writes target/bench/end-to-end.txt.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class EndToEndBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = Integer.getInteger("bench.jobs", 2000);
    private static final int ACCOUNTS = Integer.getInteger("bench.accounts", 200);
    private static final int LATENCY_MS = Integer.getInteger("bench.latencyMs", 100);
    /** Share of LinkedIn calls answering 429 or 503 (half each), for both sides. */
    private static final int FAULT_PERCENT = Integer.getInteger("bench.faultPercent", 0);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    /**
     * With faults, also run the inline-retrying loop (slow: its rate is in BENCHMARKS.md);
     * -Dbench.retryingBaseline=false skips it.
     */
    private static final boolean RETRYING_BASELINE = !"false".equals(System.getProperty("bench.retryingBaseline"));

    @ConfigProperty(name = "courier.kafka.bootstrap-servers")
    String bootstrap;
    @ConfigProperty(name = "courier.linkedin.api-base-url")
    String simulatorUrl;
    @ConfigProperty(name = "courier.linkedin.version")
    String linkedinVersion;
    /** LinkedIn calls in flight at once: the same limit for both sides. */
    @ConfigProperty(name = "courier.linkedin.max-calls-in-flight")
    int concurrency;

    @Test
    void courierAgainstABareLoop() throws Exception {
        SimulatorControl simulator = new SimulatorControl(simulatorUrl);
        List<Connected> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(connect(simulator, "{}"));
        }
        simulator.call("PUT", "/sim/latency", """
                {"ms":%s}""".formatted(LATENCY_MS));
        if (FAULT_PERCENT > 0) {
            int half = Math.max(1, FAULT_PERCENT / 2);
            simulator.fault("""
                    {"method":"POST","path":"/rest/posts","status":429,"times":-1,"percent":%s}""".formatted(half));
            simulator.fault("""
                    {"method":"POST","path":"/rest/posts","status":503,"times":-1,\
                    "percent":%s}""".formatted((FAULT_PERCENT - half)));
        }
        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            // Warm both paths (JIT, connection pools) with a full round each: a fifth of it left Courier's larger
            // code still compiling in the first measured round. Then alternate the two sides for several rounds,
            // so that a slow moment of the shared machine does not decide the result alone.
            bareLoopJobsPerSecond(kafka, accounts, JOBS, false);
            courierJobsPerSecond(kafka, accounts, JOBS);
            StringBuilder report = new StringBuilder(String.format(
                    "jobs=%d accounts=%d latency=%dms faults=%d%% LinkedIn calls in flight=%d rounds=%d%n",
                    JOBS, ACCOUNTS, LATENCY_MS, FAULT_PERCENT, concurrency, ROUNDS));
            List<Double> ratios = new ArrayList<>();
            List<Double> ratios95 = new ArrayList<>();
            List<Double> ratiosRetrying = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                Run baseline = bareLoopJobsPerSecond(kafka, accounts, JOBS, false);
                Run courier = courierJobsPerSecond(kafka, accounts, JOBS);
                ratios.add(courier.all() / baseline.all());
                ratios95.add(courier.first95() / baseline.first95());
                report.append(String.format("round %d: bare loop %.1f jobs/s (first 95 %%: %.1f), courier %.1f jobs/s"
                        + " (first 95 %%: %.1f), ratio %.2f (first 95 %%: %.2f); machine CPU per job: bare loop"
                        + " %.2f ms, courier %.2f ms%n", round, baseline.all(),
                        baseline.first95(), courier.all(), courier.first95(), courier.all() / baseline.all(),
                        courier.first95() / baseline.first95(), baseline.cpuMsPerJob(), courier.cpuMsPerJob()));
                if (JOBS >= 10_000) { // the bare loop finishes 500-record batches: shorter runs have no tenths to show
                    report.append(
                            String.format("round %d: jobs/s per tenth of the jobs: bare loop [%s], courier [%s]%n",
                                    round, baseline.tenths(), courier.tenths()));
                }
                if (FAULT_PERCENT > 0 && RETRYING_BASELINE) {
                    Run retrying = bareLoopJobsPerSecond(kafka, accounts, JOBS, true);
                    ratiosRetrying.add(courier.all() / retrying.all());
                    report.append(String.format("round %d: bare loop retrying inline %.1f jobs/s (first 95 %%: %.1f),"
                            + " courier/retrying (all jobs) %.2f%n", round, retrying.all(), retrying.first95(),
                            courier.all() / retrying.all()));
                }
            }
            ratios.sort(null);
            ratios95.sort(null);
            ratiosRetrying.sort(null);
            report.append(String.format("median ratio courier/bare = %.2f (first 95 %% of jobs: %.2f)%n",
                    ratios.get(ratios.size() / 2), ratios95.get(ratios95.size() / 2)));
            if (!ratiosRetrying.isEmpty()) {
                report.append(String.format("median ratio courier/bare loop retrying inline (all jobs) = %.2f%n",
                        ratiosRetrying.get(ratiosRetrying.size() / 2)));
            }
            report.append(meanJobDuration());
            System.out.println(report);
            Files.createDirectories(Path.of("target/bench"));
            Files.writeString(Path.of("target/bench/end-to-end.txt"), report);
        } finally {
            simulator.call("PUT", "/sim/latency", """
                    {"ms":0}""");
            simulator.clearFaults();
        }
    }

    /** Courier's own view: mean time from a job's start to its written outcome (courier_job_duration_seconds). */
    private static String meanJobDuration() {
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        double sum = 0;
        double count = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("courier_job_duration_seconds_sum{") && line.contains("outcome=\"succeeded\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("courier_job_duration_seconds_count{")
                    && line.contains("outcome=\"succeeded\"")) {
                count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return String.format("courier mean job time (start to written outcome): %.1f ms over %.0f jobs%n",
                1000 * sum / count, count);
    }

    /**
     * Throughput of one side: all jobs over the time to the last one, and the first 95 % over the time to reach
     * them. With faults the two differ: a job answered 429 waits its backoff (≥ 1 s) before it can finish.
     */
    private record Run(double all, double first95, double cpuMsPerJob, String tenths) {}

    /** Counts finished jobs against the clock started at {@code start}; notes when 95 % were done. */
    private static final class Progress {
        private final int jobs;
        private final long start = System.nanoTime();
        private final long cpuStart = machineCpuMillis();
        private int done;
        private long at95;
        private final long[] atTenth = new long[10];

        Progress(int jobs) {
            this.jobs = jobs;
        }

        void finished(int count) {
            done += count;
            for (int t = 0; t < 10; t++) {
                if (atTenth[t] == 0 && done >= jobs * (t + 1) / 10) {
                    atTenth[t] = System.nanoTime();
                }
            }
            if (at95 == 0 && done >= Math.ceil(jobs * 0.95)) {
                at95 = System.nanoTime();
            }
        }

        int done() {
            return done;
        }

        long start() {
            return start;
        }

        Run run() {
            StringBuilder tenths = new StringBuilder();
            for (int t = 0; t < 10; t++) { // jobs/s within each tenth of the jobs: is the pace steady?
                tenths.append(t == 0 ? "" : " ")
                        .append(Math.round(jobs / 10.0 / ((atTenth[t] - (t == 0 ? start : atTenth[t - 1])) / 1e9)));
            }
            return new Run(jobs / ((System.nanoTime() - start) / 1e9), Math.ceil(jobs * 0.95) / ((at95 - start) / 1e9),
                    (double) (machineCpuMillis() - cpuStart) / jobs, tenths.toString());
        }
    }

    /**
     * CPU time used by the whole machine so far (/proc/stat: user, nice, system, irq, softirq, steal), so that
     * PostgreSQL and Redis count for Courier too; this JVM's own CPU time where /proc is missing.
     */
    private static long machineCpuMillis() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                ticks += Long.parseLong(f[i]);
            }
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
        }
    }

    /** Publishes post jobs round-robin over the accounts and waits for every result. */
    private Run courierJobsPerSecond(KafkaTestClient kafka, List<Connected> accounts, int jobs) {
        String run = UUID.randomUUID().toString();
        // Positioned at the end of the results topic before the clock starts: no group join, no old records.
        try (KafkaConsumer<String, byte[]> results = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = results.partitionsFor("linkedin.jobs.results").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            results.assign(partitions);
            results.seekToEnd(partitions);
            partitions.forEach(results::position);
            Progress progress = new Progress(jobs);
            for (int i = 0; i < jobs; i++) {
                Connected a = accounts.get(i % accounts.size());
                kafka.sendAsync("linkedin.jobs.post", a.accountId(), job(run + "-" + i, "post.create", a.accountId(),
                        """
                                {"author":"%s","commentary":"bench %s %s"}""".formatted(a.memberUrn(), run, i)));
            }
            kafka.flush();
            long deadline = progress.start() + Duration.ofMinutes(5).toNanos();
            while (progress.done() < jobs) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + progress.done() + " of " + jobs + " results within 5 minutes");
                }
                for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(50))) {
                    if (KafkaTestClient.text(r).contains(run)) {
                        progress.finished(1);
                    }
                }
            }
            return progress.run();
        }
    }

    /**
     * The baseline: poll a batch, POST each record to the simulator with as many calls in flight, wait, commit.
     * No validation, no ordering, no database, no result topic: the least a Kafka-to-LinkedIn bridge can do.
     * {@code retrying}: the same loop finishing every job the way naive code does, retrying a refused call inline
     * with the contract's backoff (the worker sleeps, and its batch waits for it).
     */
    private Run bareLoopJobsPerSecond(KafkaTestClient kafka, List<Connected> accounts, int jobs, boolean retrying)
            throws Exception {
        String topic = "bench.baseline." + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        Semaphore permits = new Semaphore(concurrency);
        try (KafkaConsumer<String, byte[]> consumer = BareLoop.consumer(bootstrap, topic);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // Joined before the clock starts, as Courier's consumer is.
            consumer.subscribe(List.of(topic));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(50));
            }
            Progress progress = new Progress(jobs); // like Courier's run, the clock includes publishing the jobs
            for (int i = 0; i < jobs; i++) {
                Connected a = accounts.get(i % accounts.size());
                kafka.sendAsync(topic, a.accountId(), """
                        {"author":"%s","commentary":"bare %s %s",\
                        "token":"%s"}""".formatted(a.memberUrn(), topic, i, a.member().get("accessToken").asText()));
            }
            kafka.flush();
            while (progress.done() < jobs) {
                List<Future<?>> batch = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    batch.add(
                            threads.submit(() -> retrying ? postUntilDone(http, permits, r) : post(http, permits, r)));
                }
                for (Future<?> f : batch) {
                    f.get();
                }
                consumer.commitSync();
                progress.finished(batch.size());
            }
            return progress.run();
        }
    }

    private Integer post(HttpClient http, Semaphore permits, ConsumerRecord<String, byte[]> r)
            throws IOException, InterruptedException {
        permits.acquire();
        try {
            // A bare loop does not retry: a refused call is simply lost (that is what Courier is for).
            return call(http, r).statusCode();
        } finally {
            permits.release();
        }
    }

    /**
     * CONTRACT §4's backoff, inline: 429 → 1 s × 2ⁿ + 0–500 ms (Retry-After when sent), up to 7 attempts; 5xx or
     * no answer → one immediate retry, then 5 s × 2ⁿ, up to 5. The worker keeps its slot while it sleeps.
     */
    private Integer postUntilDone(HttpClient http, Semaphore permits, ConsumerRecord<String, byte[]> r)
            throws InterruptedException {
        permits.acquire();
        try {
            int refused = 0;
            int failed = 0;
            while (true) {
                int status;
                Optional<String> retryAfter = Optional.empty();
                try {
                    HttpResponse<String> response = call(http, r);
                    status = response.statusCode();
                    retryAfter = response.headers().firstValue("Retry-After");
                } catch (IOException e) {
                    status = 599;
                }
                if (status == 429 && ++refused < 7) {
                    Thread.sleep(retryAfter.map(s -> Long.parseLong(s) * 1000)
                            .orElse(1000L * (1L << (refused - 1)) + ThreadLocalRandom.current().nextLong(501)));
                } else if (status >= 500 && ++failed < 5) {
                    Thread.sleep(failed == 1 ? 0 : 5000L * (1L << (failed - 2)));
                } else {
                    return status;
                }
            }
        } finally {
            permits.release();
        }
    }

    private HttpResponse<String> call(HttpClient http, ConsumerRecord<String, byte[]> r)
            throws IOException, InterruptedException {
        var body = JSON.readTree(r.value());
        return http.send(HttpRequest.newBuilder(URI.create(simulatorUrl + "/rest/posts"))
                .header("Authorization", "Bearer " + body.get("token").asText())
                .header("LinkedIn-Version", linkedinVersion)
                .header("X-Restli-Protocol-Version", "2.0.0")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"author":"%s","commentary":"%s","visibility":"PUBLIC",\
                        "distribution":{"feedDistribution":"MAIN_FEED","targetEntities":[],\
                        "thirdPartyDistributionChannels":[]},"lifecycleState":"PUBLISHED",\
                        "isReshareDisabledByAuthor":false}""".formatted(body.get("author").asText(),
                        body.get("commentary").asText())))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
