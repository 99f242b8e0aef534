package io.courier.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The topology benchmark's parameters, from {@code --name value} arguments (deploy/bench-topology passes its own
 * through). Defaults are issue #17's: 4 000 post jobs over 800 accounts, 100 ms per LinkedIn call, 64 calls in
 * flight, one Courier process; a warm-up of five rounds on each side.
 */
record TopologyOptions(int jobs, int accounts, int latencyMs, int inFlight, int couriers, int warmup, int probeJobs,
        double probeShare, boolean jfr, String bootstrap, long brokerPid, int standInPort, int courierPort,
        String dbUrl, String dbUser, String dbPassword, String redisUrl, String linkedinVersion, Path out,
        Optional<Path> profilerLib) {

    private static final Set<String> NAMES = Set.of("jobs", "accounts", "latency-ms", "in-flight", "couriers", "warmup",
            "probe-jobs", "probe-share", "jfr", "bootstrap", "broker-pid", "stand-in-port", "courier-port", "db-url",
            "db-user", "db-password", "redis-url", "linkedin-version", "out", "profiler-lib");

    /**
     * Warm-up rounds per side: after one round Courier's JIT compiler threads still took half its CPU in the measured
     * window (BENCHMARKS.md); after five they take about a third of it, and the report shows the worker without them.
     */
    private static final int WARMUP_ROUNDS = 5;

    static TopologyOptions parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown option " + args[i] + "; known: --" + String.join(", --", NAMES));
            }
            if (name.equals("jfr")) {
                a.put(name, "true");
            } else if (i + 1 < args.length) {
                a.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
        }
        int jobs = positive(a, "jobs", 4000);
        TopologyOptions o = new TopologyOptions(jobs, positive(a, "accounts", 800), positive(a, "latency-ms", 100),
                positive(a, "in-flight", 64), positive(a, "couriers", 1),
                Integer.parseInt(a.getOrDefault("warmup", Integer.toString(WARMUP_ROUNDS * jobs))),
                Integer.parseInt(a.getOrDefault("probe-jobs", "400")),
                Double.parseDouble(a.getOrDefault("probe-share", "0.5")),
                a.containsKey("jfr"), required(a, "bootstrap"), Long.parseLong(required(a, "broker-pid")),
                positive(a, "stand-in-port", 19190), positive(a, "courier-port", 19180),
                required(a, "db-url"), a.getOrDefault("db-user", "postgres"), a.getOrDefault("db-password", ""),
                a.getOrDefault("redis-url", "redis://127.0.0.1:6379/9"), a.getOrDefault("linkedin-version", "202610"),
                Path.of(a.getOrDefault("out", "target/bench")),
                Optional.ofNullable(a.get("profiler-lib")).map(Path::of));
        if (o.warmup() < 0 || o.probeJobs() < 0 || o.probeShare() <= 0 || o.probeShare() >= 1) {
            throw new IllegalArgumentException("--warmup and --probe-jobs must be >= 0, --probe-share between 0 and 1");
        }
        return o;
    }

    /** The database name at the end of the JDBC URL: its backends are the PostgreSQL processes counted. */
    String dbName() {
        String path = dbUrl.substring(dbUrl.lastIndexOf('/') + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    int redisPort() {
        int port = URI.create(redisUrl).getPort();
        return port < 0 ? 6379 : port;
    }

    private static int positive(Map<String, String> a, String name, int fallback) {
        int v = Integer.parseInt(a.getOrDefault(name, Integer.toString(fallback)));
        if (v < 1) {
            throw new IllegalArgumentException("--" + name + " must be at least 1");
        }
        return v;
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
