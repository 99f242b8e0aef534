package io.courier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a Courier process's CPU went, from a JFR recording (deploy/bench-topology --jfr: execution samples, Java
 * code only) or from async-profiler's collapsed stacks (--profile: CPU time of every thread, the JIT compiler, GC
 * and native code included): the samples grouped by the phase of a job they were taken in (the innermost frame of a
 * phase's class on the stack), and the top methods by samples taken in them.
 * {@code java -cp <test classpath> io.courier.bench.JfrPhases file.jfr|file.collapsed [N]}.
 */
public final class JfrPhases {

    /** Phase by the class on the stack, innermost first; the first match names the sample's phase. */
    private static final Map<String, String> PHASES = phases();

    private static Map<String, String> phases() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("io.courier.job.JobValidator", "validation");
        m.put("io.courier.worker.JobPreflight", "lookup (PostgreSQL)");
        m.put("io.courier.auth.TokenCipher", "token decryption");
        m.put("io.courier.quota.", "budget (Redis)");
        m.put("io.courier.linkedin.", "LinkedIn call");
        m.put("io.courier.job.OutcomeStore", "outcome row (PostgreSQL)");
        m.put("io.courier.worker.ResultPublisher", "result event");
        m.put("io.courier.worker.ResultParts", "result event");
        m.put("io.courier.retry.", "retry / dead letter");
        m.put("org.jboss.logmanager.", "logging");
        m.put("org.jboss.logging.", "logging");
        m.put("io.courier.worker.JobOutcomes", "outcome (other)");
        m.put("io.courier.worker.JobCalls", "calls (other)");
        m.put("io.courier.worker.JobRunner", "runner (other)");
        m.put("io.courier.worker.PollLoop", "poll loop (poll, commit, transaction)");
        m.put("io.courier.worker.OffsetTracker", "poll loop (poll, commit, transaction)");
        m.put("io.courier.worker.KeyOrderedExecutor", "executor");
        m.put("org.apache.kafka.", "Kafka client threads");
        m.put("org.redisson.", "Redisson / Netty threads");
        m.put("io.netty.", "Redisson / Netty threads");
        m.put("jdk.internal.net.http.", "JDK HttpClient threads");
        m.put("io.vertx.", "Quarkus HTTP / Vert.x");
        m.put("io.micrometer.", "metrics");
        m.put("CompileBroker::", "JIT compiler");
        m.put("G1", "GC");
        m.put("GC", "GC");
        return m;
    }

    public static void main(String[] args) throws IOException {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Map<String, Integer> byPhase = new HashMap<>();
        Map<String, Integer> byMethod = new HashMap<>();
        Map<String, Integer> byPackage = new HashMap<>();
        int samples = 0;
        for (Sample s : args[0].endsWith(".collapsed") ? collapsed(Path.of(args[0])) : jfr(Path.of(args[0]))) {
            samples += s.weight();
            if (!s.frames().isEmpty()) {
                String self = s.frames().get(0);
                byMethod.merge(self, s.weight(), Integer::sum);
                int paren = self.indexOf('(');
                String name = paren < 0 ? self : self.substring(0, paren);
                int method = name.lastIndexOf('.');
                int type = method < 0 ? -1 : name.lastIndexOf('.', method - 1);
                byPackage.merge(type < 0 ? "(native or VM)" : name.substring(0, type), s.weight(), Integer::sum);
            }
            byPhase.merge(phaseOf(s.frames()), s.weight(), Integer::sum);
        }
        System.out.printf("%d samples%n%nby phase of a job (innermost phase frame on the stack):%n", samples);
        print(byPhase, samples, top);
        System.out.printf("%nby method the sample was taken in:%n");
        print(byMethod, samples, top);
        System.out.printf("%nby package the sample was taken in:%n");
        print(byPackage, samples, top);
    }

    /** One stack, innermost frame first ("package.Type.method"), and how many samples it stands for. */
    private record Sample(List<String> frames, int weight) {}

    private static List<Sample> jfr(Path file) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("jdk.ExecutionSample") && e.getStackTrace() != null) {
                samples.add(new Sample(e.getStackTrace().getFrames().stream()
                        .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName()).toList(), 1));
            }
        }
        return samples;
    }

    /** async-profiler's collapsed format: "root;...;innermost COUNT" per line. */
    private static List<Sample> collapsed(Path file) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            int space = line.lastIndexOf(' ');
            if (space > 0) {
                List<String> frames = new ArrayList<>(
                        Arrays.asList(line.substring(0, space).replace('/', '.').split(";")));
                Collections.reverse(frames);
                samples.add(new Sample(frames, Integer.parseInt(line.substring(space + 1).trim())));
            }
        }
        return samples;
    }

    /** Courier's own phases first (a Kafka send inside ResultPublisher is the result's), then the library threads. */
    private static String phaseOf(List<String> frames) {
        for (boolean courier : new boolean[] {true, false}) {
            for (String type : frames) {
                for (Map.Entry<String, String> p : PHASES.entrySet()) {
                    boolean own = p.getKey().startsWith("io.courier.") || p.getKey().startsWith("org.jboss.log");
                    if (own == courier && type.startsWith(p.getKey())) {
                        return p.getValue();
                    }
                }
            }
        }
        return "other";
    }

    private static void print(Map<String, Integer> counts, int total, int top) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(c -> System.out.printf("  %5.1f %%  %6d  %s%n", 100.0 * c.getValue() / total, c.getValue(),
                        c.getKey()));
    }
}
