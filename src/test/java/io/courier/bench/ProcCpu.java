package io.courier.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU time from /proc, in milliseconds: of one process (utime + stime of /proc/PID/stat, all its threads), of a
 * group of processes found by their command line (PostgreSQL's backends come and go), and of the whole machine
 * (/proc/stat). Linux only; USER_HZ is 100 there.
 */
final class ProcCpu {

    private static final long MS_PER_TICK = 10;
    /** A PostgreSQL backend's title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE". */
    private static final Pattern PG_BACKEND = Pattern
            .compile("^postgres: (?:[^:]*: )?\\S+ (\\S+) (?:\\S+\\(\\d+\\)|\\[local\\])");

    private ProcCpu() {}

    /** CPU of one process so far; -1 once it is gone. */
    static long processMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * MS_PER_TICK; // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    /** One thread's name (as /proc shows it, at most 15 characters) and CPU so far. */
    record ThreadTime(String name, long ms) {}

    /** CPU of each live thread of a process, by thread id; threads that ended are in processMs only. */
    static Map<Long, ThreadTime> threadsMs(long pid) {
        Map<Long, ThreadTime> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            new ThreadTime(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * MS_PER_TICK));
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException gone) {
            // the process is gone
        }
        return threads;
    }

    /** A thread's kind: its name without numbers ("GC Thread#1" and "GC Thread#0" are both "GC Thread#"). */
    static String threadKind(String name) {
        return name.replaceAll("[0-9]+", "").replaceAll("[-#_ ]+$", "");
    }

    /**
     * Busy and total CPU of the machine so far (all cores): user, nice, system, irq, softirq, steal; total adds idle,
     * iowait.
     */
    static long[] machineMs() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            long total = busy + Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {busy * MS_PER_TICK, total * MS_PER_TICK};
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/stat: this benchmark needs Linux", e);
        }
    }

    /** PIDs whose command line (NULs as spaces) passes {@code match}. */
    static List<Long> pidsWhere(Predicate<String> match) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : proc) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').trim();
                    if (!cmd.isEmpty() && match.test(cmd)) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return pids;
    }

    /**
     * PostgreSQL as the benchmark uses it: the server's own processes (postmaster, WAL writer, checkpointer,
     * autovacuum...) and the backends connected to {@code database}; backends of other databases are other people's.
     */
    static Predicate<String> postgresOf(String database) {
        return cmd -> {
            if (!cmd.startsWith("postgres:") && !cmd.matches("^\\S*/postgres( .*)?$")) {
                return false;
            }
            Matcher backend = PG_BACKEND.matcher(cmd);
            return !backend.find() || backend.group(1).equals(database);
        };
    }

    /** The redis-server listening on {@code port}. */
    static Predicate<String> redisOn(int port) {
        return cmd -> cmd.matches("^\\S*redis-server \\S*:" + port + "(\\s.*)?$");
    }

    /**
     * CPU of a group of processes found again at each snapshot: a PID that appears counts from 0, one that ends is
     * lost.
     */
    static final class Group {
        private final Predicate<String> match;

        Group(Predicate<String> match) {
            this.match = match;
        }

        Map<Long, Long> snapshot() {
            Map<Long, Long> ms = new HashMap<>();
            for (long pid : pidsWhere(match)) {
                long cpu = processMs(pid);
                if (cpu >= 0) {
                    ms.put(pid, cpu);
                }
            }
            return ms;
        }

        static long delta(Map<Long, Long> before, Map<Long, Long> after) {
            long sum = 0;
            for (Map.Entry<Long, Long> e : after.entrySet()) {
                sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
            return sum;
        }
    }
}
