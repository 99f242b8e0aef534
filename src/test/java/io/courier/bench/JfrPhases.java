package io.courier.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a Courier process's CPU went in a JFR recording (deploy/bench-topology --jfr): the execution samples
 * grouped by the phase of a job they were taken in (the innermost frame of a phase's class on the stack), and the
 * top methods by samples taken in them. {@code java -cp <test classpath> io.courier.bench.JfrPhases file.jfr [N]}.
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
        return m;
    }

    public static void main(String[] args) throws IOException {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Map<String, Integer> byPhase = new HashMap<>();
        Map<String, Integer> byMethod = new HashMap<>();
        Map<String, Integer> byPackage = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (!frames.isEmpty()) {
                RecordedFrame self = frames.get(0);
                String type = self.getMethod().getType().getName();
                byMethod.merge(type + "." + self.getMethod().getName(), 1, Integer::sum);
                int dot = type.lastIndexOf('.');
                byPackage.merge(dot < 0 ? type : type.substring(0, dot), 1, Integer::sum);
            }
            byPhase.merge(phaseOf(frames), 1, Integer::sum);
        }
        System.out.printf("%d execution samples%n%nby phase of a job (innermost phase frame on the stack):%n", samples);
        print(byPhase, samples, top);
        System.out.printf("%nby method the sample was taken in:%n");
        print(byMethod, samples, top);
        System.out.printf("%nby package the sample was taken in:%n");
        print(byPackage, samples, top);
    }

    /** Courier's own phases first (a Kafka send inside ResultPublisher is the result's), then the library threads. */
    private static String phaseOf(List<RecordedFrame> frames) {
        for (boolean courier : new boolean[] {true, false}) {
            for (RecordedFrame f : frames) {
                String type = f.getMethod().getType().getName();
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
