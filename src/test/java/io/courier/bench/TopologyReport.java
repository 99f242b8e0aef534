package io.courier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The topology benchmark's report: per side throughput, time to the last job, CPU per job of each process and of the
 * machine; Courier against the mean of the two bare-loop legs; Courier's time from record to result less LinkedIn's
 * latency. Written to target/bench/topology-LATENCYms-Nc-TIME.txt.
 */
final class TopologyReport {

    /** One measured side. */
    record Leg(String side, int jobs, Progress progress, CpuAccount.Used cpu) {

        /** The worker's CPU per job less its JIT compiler threads' (work a long-running process no longer does). */
        double workerLessCompilerMsPerJob(String worker) {
            long compiler = cpu.msByThreadKind().entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                    .mapToLong(Map.Entry::getValue).sum();
            return (cpu.msByName().getOrDefault(worker, 0L) - compiler) / (double) jobs;
        }

        double msPerJob(String process) {
            return cpu.msByName().getOrDefault(process, 0L) / (double) jobs;
        }

        double machineMsPerJob() {
            return cpu.machineBusyMs() / (double) jobs;
        }
    }

    private static final List<String> PROCESSES = List.of("broker", "postgres", "redis", "stand-in", "driver");

    private final TopologyOptions o;
    private final String run;
    private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final List<Leg> bare = new ArrayList<>();
    private final StringBuilder courierLines = new StringBuilder();
    private Leg courier;
    private String probeLine = "";

    TopologyReport(TopologyOptions o, String run) {
        this.o = o;
        this.run = run;
    }

    void bare(Leg leg) {
        bare.add(leg);
    }

    void courier(Leg leg, List<Jobs.Timing> backlog, List<Double> perProcess, int refusals, int notSucceeded) {
        courier = leg;
        double seconds = leg.progress().secondsToLast();
        courierLines.append(String.format(Locale.ROOT,
                "Courier processes: jobs finished by each %s (jobs/s each over the leg %s), total %.0f;"
                        + " results not SUCCEEDED: %d; 429 answers from the stand-in during the leg: %d%n",
                perProcess.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList(),
                perProcess.stream().map(d -> String.format(Locale.ROOT, "%.1f", d / seconds)).toList(),
                perProcess.stream().mapToDouble(Double::doubleValue).sum(), notSucceeded, refusals));
        List<String> cpuEach = new ArrayList<>();
        for (int i = 0; i < perProcess.size(); i++) {
            long ms = leg.cpu().msByName().getOrDefault("courier " + (i + 1), 0L);
            cpuEach.add(String.format(Locale.ROOT, "%.2f", perProcess.get(i) == 0 ? 0 : ms / perProcess.get(i)));
        }
        courierLines.append(
                String.format(Locale.ROOT, "  CPU per job of each Courier process, over the jobs it finished: %s ms%n",
                        cpuEach));
        courierLines.append(String.format(Locale.ROOT,
                "  record to result less LinkedIn's %d ms, in the measured backlog (includes the wait in the topic): %s%n",
                o.latencyMs(), percentiles(backlog, t -> t.resultRecordMs() - t.jobRecordMs())));
    }

    void probe(double perSecond, List<Jobs.Timing> timings) {
        probeLine = String.format(Locale.ROOT,
                "Courier's own time, record to result less LinkedIn's %d ms, paced probe (%d jobs at %.0f jobs/s,"
                        + " no backlog):%n  to the event's finishedAt %s; to the result record %s; to readable (read_committed) %s%n",
                o.latencyMs(), timings.size(), perSecond, percentiles(timings, t -> t.finishedAtMs() - t.jobRecordMs()),
                percentiles(timings, t -> t.resultRecordMs() - t.jobRecordMs()),
                percentiles(timings, t -> t.readableMs() - t.jobRecordMs()));
    }

    private String percentiles(List<Jobs.Timing> timings, ToDoubleFunction<Jobs.Timing> ms) {
        double[] v = timings.stream().mapToDouble(ms).map(x -> x - o.latencyMs()).sorted().toArray();
        if (v.length == 0) {
            return "no jobs";
        }
        return String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", v[(int) Math.floor(0.50 * (v.length - 1))],
                v[(int) Math.floor(0.99 * (v.length - 1))]);
    }

    /** Formats, writes and returns the report. */
    String write() throws IOException {
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "Courier in the production topology (issue #17), %s, run %s%n", started,
                run));
        r.append(String.format(Locale.ROOT,
                "jobs=%d accounts=%d LinkedIn latency=%d ms; LinkedIn calls in flight: %d per Courier process x %d,"
                        + " bare loop %d; warm-up %d jobs per side; %d cores%n%n",
                o.jobs(), o.accounts(), o.latencyMs(), o.inFlight(),
                o.couriers(), o.inFlight() * o.couriers(), o.warmup(), Runtime.getRuntime().availableProcessors()));
        if (o.accounts() < o.inFlight() * o.couriers()) {
            r.append(String.format(Locale.ROOT,
                    "note: %d accounts for %d calls in flight: Courier runs one job per account at a time,"
                            + " so it cannot fill its call slots here and the bare loop (no ordering) can%n%n",
                    o.accounts(),
                    o.inFlight() * o.couriers()));
        }
        r.append(String.format(Locale.ROOT, "%-18s %14s %11s %12s %13s%n", "side", "steady jobs/s", "all jobs/s",
                "to last job", "machine busy"));
        List<Leg> legs = new ArrayList<>(List.of(bare.get(0), courier, bare.get(1)));
        for (Leg l : legs) {
            r.append(String.format(Locale.ROOT, "%-18s %14.1f %11.1f %10.2f s %12.0f %%%n", l.side(),
                    l.progress().steadyPerSecond(),
                    l.progress().allPerSecond(), l.progress().secondsToLast(), 100 * l.cpu().machineBusyShare()));
        }
        double steady = mean(l -> l.progress().steadyPerSecond());
        double all = mean(l -> l.progress().allPerSecond());
        r.append(String.format(Locale.ROOT, "%-18s %14.1f %11.1f%n%n", "baseline (mean)", steady, all));
        r.append(
                "CPU per job, ms (utime+stime from /proc over the measured window, over the jobs; worker = Courier or the bare loop)\n");
        r.append(String.format(Locale.ROOT, "%-18s %8s", "side", "worker"));
        PROCESSES.forEach(p -> r.append(String.format(Locale.ROOT, " %9s", p)));
        r.append(String.format(Locale.ROOT, " %9s%n", "machine"));
        for (Leg l : legs) {
            r.append(String.format(Locale.ROOT, "%-18s %8.2f", l.side(),
                    l.msPerJob(l == courier ? "courier" : "bare loop")));
            PROCESSES.forEach(p -> r.append(String.format(Locale.ROOT, " %9.2f", l.msPerJob(p))));
            r.append(String.format(Locale.ROOT, " %9.2f%n", l.machineMsPerJob()));
        }
        double bareWorker = mean(l -> l.msPerJob("bare loop"));
        r.append(String.format(Locale.ROOT,
                "%nCourier / baseline: steady throughput %.2f, all jobs %.2f; CPU per job of the worker process %.2fx,"
                        + " of the machine %.2fx%n",
                courier.progress().steadyPerSecond() / steady, courier.progress().allPerSecond() / all,
                courier.msPerJob("courier") / bareWorker, courier.machineMsPerJob() / mean(Leg::machineMsPerJob)));
        if (o.couriers() == 1) { // the threads are the first process's only
            r.append(String.format(Locale.ROOT,
                    "CPU per job of the worker process less its JIT compiler threads: bare loop %.2f / %.2f, Courier"
                            + " %.2f; %.2fx%n",
                    bare.get(0).workerLessCompilerMsPerJob("bare loop"),
                    bare.get(1).workerLessCompilerMsPerJob("bare loop"), courier.workerLessCompilerMsPerJob("courier"),
                    courier.workerLessCompilerMsPerJob("courier")
                            / mean(l -> l.workerLessCompilerMsPerJob("bare loop"))));
        }
        r.append(courierLines).append(probeLine);
        r.append(
                "\nCPU per job by kind of thread, ms (the first worker process; threads that ended in the window only in"
                        + " its total)\n");
        for (Leg l : legs) {
            r.append(String.format(Locale.ROOT, "  %-16s", l.side()));
            l.cpu().msByThreadKind().entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .forEach(e -> r.append(String.format(Locale.ROOT, " %s %.2f;", e.getKey(),
                            e.getValue() / (double) l.jobs())));
            r.append('\n');
        }
        r.append("(postgres: the server's own processes and the backends on ").append(o.dbName())
                .append("; machine: all of /proc/stat, other people's work included)\n");
        Files.createDirectories(o.out());
        Path file = o.out().resolve(String.format(Locale.ROOT, "topology-%dms-%dc-%s.txt", o.latencyMs(), o.couriers(),
                started.toString().replace(":", "")));
        Files.writeString(file, r);
        return r + "written to " + file + "\n";
    }

    private double mean(ToDoubleFunction<Leg> f) {
        return bare.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
