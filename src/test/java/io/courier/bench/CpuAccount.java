package io.courier.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The processes whose CPU a leg of the benchmark reports, by name in report order: fixed PIDs (Courier, the bare
 * loop, the broker, the stand-in) or groups found again at each sample (PostgreSQL's backends, Redis). A sample
 * before and after the measured window gives each one's CPU over it, and the machine's.
 */
final class CpuAccount {

    static final String MACHINE = "machine";

    private final Map<String, Supplier<Map<Long, Long>>> sources = new LinkedHashMap<>();
    private long threadsOf = -1;

    CpuAccount pids(String name, List<Long> pids) {
        sources.put(name, () -> {
            Map<Long, Long> ms = new HashMap<>();
            for (long pid : pids) {
                ms.put(pid, Math.max(0, ProcCpu.processMs(pid)));
            }
            return ms;
        });
        return this;
    }

    CpuAccount group(String name, Predicate<String> commandLine) {
        ProcCpu.Group group = new ProcCpu.Group(commandLine);
        sources.put(name, group::snapshot);
        return this;
    }

    /** Also the CPU of each kind of thread of this process (where a worker's CPU goes, beside the profile). */
    CpuAccount threadsOf(long pid) {
        threadsOf = pid;
        return this;
    }

    Sample sample() {
        Map<String, Map<Long, Long>> byName = new LinkedHashMap<>();
        sources.forEach((name, source) -> byName.put(name, source.get()));
        return new Sample(System.nanoTime(), ProcCpu.machineMs(), byName,
                threadsOf < 0 ? Map.of() : ProcCpu.threadsMs(threadsOf));
    }

    /** One look at every process and at the machine (busy and total ms over all cores). */
    record Sample(long nanos, long[] machine, Map<String, Map<Long, Long>> byName,
            Map<Long, ProcCpu.ThreadTime> threads) {}

    /** CPU used between two samples; {@code msByThreadKind} of the threads that lived to the second one. */
    record Used(Map<String, Long> msByName, long machineBusyMs, long machineTotalMs, Map<String, Long> msByThreadKind) {

        static Used between(Sample before, Sample after) {
            Map<String, Long> ms = new LinkedHashMap<>();
            after.byName().forEach((name, now) -> ms.put(name, ProcCpu.Group.delta(before.byName().get(name), now)));
            Map<String, Long> kinds = new HashMap<>();
            after.threads().forEach((tid, now) -> {
                ProcCpu.ThreadTime then = before.threads().get(tid);
                kinds.merge(ProcCpu.threadKind(now.name()), now.ms() - (then == null ? 0 : then.ms()), Long::sum);
            });
            return new Used(ms, after.machine()[0] - before.machine()[0], after.machine()[1] - before.machine()[1],
                    kinds);
        }

        double machineBusyShare() {
            return machineTotalMs == 0 ? 0 : (double) machineBusyMs / machineTotalMs;
        }
    }
}
