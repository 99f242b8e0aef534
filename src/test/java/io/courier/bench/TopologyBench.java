package io.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.CourierJar;
import io.courier.testkit.SimulatorControl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Issue #17's benchmark in the production topology: the Kafka broker, a LinkedIn stand-in with a fixed latency (the
 * simulator's own main), PostgreSQL, Redis and Courier (the packaged jar, one or more processes) are separate OS
 * processes; a bare consume → POST → commit loop ({@link BareLoop}) runs in its own process before and after Courier
 * in the same run, and the mean of the two is the baseline. Started by {@code deploy/bench-topology}, which starts
 * the broker and passes its PID; this class starts and ends everything else. The report goes to
 * target/bench/topology-*.txt ({@link TopologyReport}).
 */
public final class TopologyBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration LEG_TIMEOUT = Duration.ofMinutes(10);

    private final TopologyOptions o;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Children children;
    private final Jobs jobs;
    private final SimulatorControl standIn;
    private final List<Jobs.Account> accounts = new ArrayList<>();
    private final Map<String, JsonNode> members = new HashMap<>();
    private Process standInProcess;

    private TopologyBench(TopologyOptions o) throws Exception {
        this.o = o;
        this.children = new Children(o.out());
        this.jobs = new Jobs(o.bootstrap());
        this.standIn = new SimulatorControl("http://127.0.0.1:" + o.standInPort());
    }

    public static void main(String[] args) throws Exception {
        int status = 1;
        TopologyBench bench = new TopologyBench(TopologyOptions.parse(args));
        try {
            System.out.println(bench.run());
            status = 0;
        } catch (Exception e) {
            say("failed: " + e);
            e.printStackTrace();
        } finally {
            bench.children.close();
            bench.jobs.close();
        }
        System.exit(status); // no client thread may keep this JVM (and deploy/bench-topology) waiting
    }

    private String run() throws Exception {
        say("starting the LinkedIn stand-in on port " + o.standInPort());
        standInProcess = children.standIn(o.standInPort());
        standIn.call("PUT", "/sim/latency", "{\"ms\":" + o.latencyMs() + "}");
        for (int i = 0; i < o.accounts(); i++) {
            JsonNode member = standIn.newMember("{}");
            Jobs.Account a = new Jobs.Account("bench-" + run + "-" + i, member.get("memberUrn").asText(),
                    member.get("accessToken").asText());
            accounts.add(a);
            members.put(a.accountId(), member);
        }
        TopologyReport report = new TopologyReport(o, run);
        report.bare(bareLeg("bare loop, before"));
        courierLeg(report);
        report.bare(bareLeg("bare loop, after"));
        return report.write();
    }

    /** One leg of the bare loop: a new topic and process, a warm-up, then the measured jobs. */
    private TopologyReport.Leg bareLeg(String side) throws Exception {
        String topic = "bench.bare." + run + "." + (side.endsWith("before") ? "before" : "after");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", o.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        int bareInFlight = o.inFlight() * o.couriers(); // as many calls in flight as all Courier processes together
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch warm = new CountDownLatch(1);
        AtomicReference<Progress> measured = new AtomicReference<>();
        say(side + ": " + o.warmup() + " warm-up and " + o.jobs() + " measured jobs, " + bareInFlight
                + " calls in flight");
        Process loop = children.bareLoop(List.of(o.bootstrap(), topic, "http://127.0.0.1:" + o.standInPort(),
                o.linkedinVersion(), Integer.toString(bareInFlight), Integer.toString(o.warmup() + o.jobs())), line -> {
                    if (line.equals("ready")) {
                        ready.countDown();
                    } else if (line.startsWith("done ")) {
                        int done = Integer.parseInt(line.substring(5));
                        if (done >= o.warmup()) {
                            warm.countDown();
                        }
                        Progress p = measured.get();
                        if (p != null) {
                            p.reached(done - o.warmup());
                        }
                    }
                });
        try {
            await(ready, loop, "the bare loop's consumer to join");
            for (int i = 0; i < o.warmup(); i++) {
                jobs.sendBare(topic, accounts.get(i % accounts.size()), "warm " + run + " " + i);
            }
            jobs.flush();
            if (o.warmup() > 0) {
                await(warm, loop, "the bare loop's warm-up");
            }
            CpuAccount cpu = cpuAccount("bare loop", List.of(loop.pid())).threadsOf(loop.pid());
            CpuAccount.Sample before = cpu.sample();
            measured.set(new Progress(o.jobs(), before.nanos()));
            for (int i = 0; i < o.jobs(); i++) {
                jobs.sendBare(topic, accounts.get(i % accounts.size()), "bare " + run + " " + side + " " + i);
            }
            jobs.flush();
            if (!measured.get().awaitLast(LEG_TIMEOUT.toMillis())) {
                throw new IllegalStateException(
                        side + ": only " + measured.get().done() + " of " + o.jobs() + " jobs within " + LEG_TIMEOUT);
            }
            CpuAccount.Used used = CpuAccount.Used.between(before, cpu.sample());
            return new TopologyReport.Leg(side, o.jobs(), measured.get(), used);
        } finally {
            children.stop(loop);
        }
    }

    /**
     * Courier's leg: its processes, a warm-up, the measured jobs (with JFR if asked), then a paced probe for latency.
     */
    private void courierLeg(TopologyReport report) throws Exception {
        List<Process> couriers = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int i = 0; i < o.couriers(); i++) {
                int port = o.courierPort() + i;
                say("starting Courier " + (i + 1) + " of " + o.couriers() + " on port " + port);
                couriers.add(children.courier(courierEnv(port), port, i + 1));
                ports.add(port);
            }
            say("connecting " + accounts.size() + " accounts through Courier's admin API");
            for (Jobs.Account a : accounts) {
                CourierJar.importTokens(ports.get(0), a.accountId(), members.get(a.accountId()));
            }
            try (Jobs.Results results = jobs.results()) {
                if (o.warmup() > 0) {
                    say("Courier: " + o.warmup() + " warm-up jobs");
                    publishing(run + "-warm", o.warmup(), 0);
                    results.await(run + "-warm", o.warmup(), null, LEG_TIMEOUT);
                }
                List<Double> jobsBefore = jobsDone(ports);
                int refusedBefore = standInRefusals();
                if (o.jfr()) {
                    for (int i = 0; i < couriers.size(); i++) {
                        children.startRecording(couriers.get(i),
                                o.out().resolve("topology-" + run + "-courier-" + (i + 1) + ".jfr"));
                    }
                }
                if (o.profilerLib().isPresent()) {
                    for (Process c : couriers) {
                        children.startProfiler(c, o.profilerLib().get());
                    }
                }
                say("Courier: " + o.jobs() + " measured jobs");
                CpuAccount cpu = cpuAccount("courier", couriers.stream().map(Process::pid).toList());
                for (int i = 0; i < couriers.size(); i++) { // each one too, for the scale-out figure
                    cpu.pids("courier " + (i + 1), List.of(couriers.get(i).pid()));
                }
                cpu.threadsOf(couriers.get(0).pid());
                CpuAccount.Sample before = cpu.sample();
                Progress progress = new Progress(o.jobs(), before.nanos());
                Thread publisher = publishing(run + "-measured", o.jobs(), 0);
                List<Jobs.Timing> backlog = results.await(run + "-measured", o.jobs(), progress, LEG_TIMEOUT);
                CpuAccount.Used used = CpuAccount.Used.between(before, cpu.sample());
                publisher.join();
                if (o.jfr()) {
                    for (Process c : couriers) {
                        children.stopRecording(c);
                    }
                }
                if (o.profilerLib().isPresent()) {
                    for (int i = 0; i < couriers.size(); i++) {
                        children.stopProfiler(couriers.get(i), o.profilerLib().get(),
                                o.out().resolve("topology-" + run + "-courier-" + (i + 1) + ".collapsed"));
                    }
                }
                List<Double> jobsAfter = jobsDone(ports);
                List<Double> perProcess = new ArrayList<>();
                for (int i = 0; i < ports.size(); i++) {
                    perProcess.add(jobsAfter.get(i) - jobsBefore.get(i));
                }
                report.courier(new TopologyReport.Leg("courier", o.jobs(), progress, used), backlog, perProcess,
                        standInRefusals() - refusedBefore, results.notSucceeded());
                double rate = o.probeShare() * progress.steadyPerSecond();
                if (o.probeJobs() > 0) {
                    say(String.format("Courier: %d probe jobs at %.0f jobs/s (record to result)", o.probeJobs(), rate));
                    Thread probe = publishing(run + "-probe", o.probeJobs(), rate);
                    report.probe(rate, results.await(run + "-probe", o.probeJobs(), null, LEG_TIMEOUT));
                    probe.join();
                }
            }
        } finally {
            couriers.forEach(children::stop);
        }
    }

    private Thread publishing(String prefix, int count, double perSecond) {
        return Thread.ofPlatform().name("publisher").start(() -> jobs.sendJobs(accounts, prefix, count, perSecond));
    }

    /** The same accounting on both sides: the worker under test, then everything it leans on. */
    private CpuAccount cpuAccount(String worker, List<Long> workerPids) {
        return new CpuAccount()
                .pids(worker, workerPids)
                .pids("broker", List.of(o.brokerPid()))
                .group("postgres", ProcCpu.postgresOf(o.dbName()))
                .group("redis", ProcCpu.redisOn(o.redisPort()))
                .pids("stand-in", List.of(standInProcess.pid()))
                .pids("driver", List.of(ProcessHandle.current().pid()));
    }

    private Map<String, String> courierEnv(int port) {
        Map<String, String> env = new HashMap<>(CourierJar.testKeys());
        env.put("KAFKA_BOOTSTRAP_SERVERS", o.bootstrap());
        env.put("REDIS_URL", o.redisUrl());
        env.put("DB_URL", o.dbUrl());
        env.put("DB_USER", o.dbUser());
        env.put("DB_PASSWORD", o.dbPassword());
        String standInUrl = "http://127.0.0.1:" + o.standInPort();
        env.put("LINKEDIN_API_BASE_URL", standInUrl);
        env.put("LINKEDIN_OAUTH_BASE_URL", standInUrl);
        env.put("LINKEDIN_CLIENT_ID", "courier-sim-client");
        env.put("LINKEDIN_CLIENT_SECRET", "courier-sim-secret");
        env.put("COURIER_ADMIN_TOKEN", CourierJar.ADMIN);
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("COURIER_KAFKA_GROUP_ID", "bench-" + run);
        env.put("COURIER_QUOTA_KEY_PREFIX", "bench:" + run); // fresh budgets each run, shared by this run's processes
        env.put("COURIER_LINKEDIN_MAX_CALLS_IN_FLIGHT", Integer.toString(o.inFlight()));
        return env;
    }

    /** Jobs each Courier process has finished so far (courier_jobs_total, every type and outcome). */
    private static List<Double> jobsDone(List<Integer> ports) throws Exception {
        List<Double> done = new ArrayList<>();
        for (int port : ports) {
            String metrics = HTTP
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            double sum = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("courier_jobs_total{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            done.add(sum);
        }
        return done;
    }

    /** 429 answers the stand-in has given so far, over every resource. */
    private int standInRefusals() {
        int refused = 0;
        for (JsonNode byStatus : standIn.stats().path("calls")) {
            refused += byStatus.path("429").asInt(0);
        }
        return refused;
    }

    private static void await(CountDownLatch latch, Process p, String what) throws InterruptedException {
        long deadline = System.nanoTime() + LEG_TIMEOUT.toNanos();
        while (!latch.await(200, TimeUnit.MILLISECONDS)) { // ends when it happened, the process died, or at the
                                                           // deadline
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what
                        + (p.isAlive()
                                ? ""
                                : ": the process exited with "
                                        + p.exitValue())
                        + "; see " + Path.of("target/bench/bare-loop.log"));
            }
        }
    }

    static void say(String message) {
        System.out.println("[bench-topology] " + message);
    }
}
