package io.courier.quota;

import io.courier.job.LinkedInOperation;
import io.courier.testkit.CourierServices;
import io.courier.testkit.Overrides;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Courier's limiter against Redisson's RRateLimiter doing the same work (an application budget and a member
 * budget per call), side by side in one run against the same Redis: the most debits per second each can do, and
 * p50/p99 latency at a steady 5 000 debits/s, on one hot key and over 10 000 members. Not a test: run it with
 * {@code deploy/bench}; it writes target/bench/limiter.txt.
 */
class LimiterBenchmark {

    private static final int THREADS = Integer.getInteger("bench.limiter.threads", 8);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
    private static final int RATE = Integer.getInteger("bench.limiter.rate", 5000);
    private static final Duration STEADY = Duration.ofSeconds(Integer.getInteger("bench.limiter.seconds", 6));
    private static final int MEMBERS = 10_000;

    @Test
    void courierAgainstRRateLimiter() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        Config config = new Config();
        config.useSingleServer().setAddress(services.get("courier.redis.url")).setDatabase(1)
                .setConnectionPoolSize(THREADS).setConnectionMinimumIdleSize(THREADS);
        RedissonClient redisson = Redisson.create(config);
        try {
            String prefix = "bench-" + UUID.randomUUID();
            QuotaLimiter courier = limiter(redisson, prefix);
            Map<String, RRateLimiter> members = new HashMap<>();
            RRateLimiter app = rateLimiter(redisson, prefix + ":rr:app");
            for (int i = 0; i < MEMBERS; i++) {
                members.put("m" + i, rateLimiter(redisson, prefix + ":rr:m" + i));
            }
            IntConsumer courierHot = i -> courier.debit(LinkedInOperation.USERINFO, "hot", false);
            IntConsumer courierSpread = i -> courier.debit(LinkedInOperation.USERINFO, "m" + (i % MEMBERS), false);
            RRateLimiter hotMember = members.get("m0");
            IntConsumer redissonHot = i -> {
                if (app.tryAcquire()) {
                    hotMember.tryAcquire();
                }
            };
            IntConsumer redissonSpread = i -> {
                if (app.tryAcquire()) {
                    members.get("m" + (i % MEMBERS)).tryAcquire();
                }
            };
            // Warm both (JIT, connections, script cache).
            maxRate(courierSpread, Duration.ofSeconds(2));
            maxRate(redissonSpread, Duration.ofSeconds(2));

            StringBuilder report = new StringBuilder(String.format(
                    "threads=%d steady rate=%d/s for %ds, members=%d, Redis=%s%n", THREADS, RATE, STEADY.toSeconds(),
                    MEMBERS, services.get("courier.redis.url")));
            report.append("case | debits/s (max) | p50 ms | p99 ms at ").append(RATE).append("/s | achieved/s\n");
            // Rounds alternate the order, so that neither side always runs first on a warming machine.
            for (int round = 1; round <= ROUNDS; round++) {
                Object[][] cases = {{"courier, hot key", courierHot}, {"RRateLimiter, hot key", redissonHot},
                        {"courier, 10 000 members", courierSpread}, {"RRateLimiter, 10 000 members", redissonSpread}};
                if (round % 2 == 0) {
                    java.util.Collections.reverse(Arrays.asList(cases));
                }
                for (var c : cases) {
                    IntConsumer debit = (IntConsumer) c[1];
                    double max = maxRate(debit, Duration.ofSeconds(4));
                    Steady steady = steady(debit);
                    report.append(
                            String.format("round %d: %s | %.0f | %.2f | %.2f | %.0f%n", round, c[0], max, steady.p50,
                                    steady.p99, steady.achieved));
                }
            }
            System.out.println(report);
            Files.createDirectories(Path.of("target/bench"));
            Files.writeString(Path.of("target/bench/limiter.txt"), report);
            redisson.getKeys().deleteByPattern(prefix + "*");
        } finally {
            redisson.shutdown();
        }
    }

    private static QuotaLimiter limiter(RedissonClient redisson, String prefix) {
        Map<String, String> properties = new HashMap<>(Map.of("courier.quota.window", "1d", "courier.quota.key-prefix",
                prefix, "courier.quota.post-reserve", "0.2", "courier.quota.enabled", "true", "courier.quota.cooldown",
                "5s"));
        for (LinkedInOperation r : LinkedInOperation.values()) {
            String key = "courier.quota.resources." + r.configKey;
            properties.put(key + ".app-daily", String.valueOf(Long.MAX_VALUE / 4));
            properties.put(key + ".member-daily", String.valueOf(Long.MAX_VALUE / 4));
            properties.put(key + ".rate-per-second", "");
            properties.put(key + ".burst", "10");
        }
        return new QuotaLimiter(redisson, Overrides.of(QuotaConfig.class, properties), new SimpleMeterRegistry());
    }

    private static RRateLimiter rateLimiter(RedissonClient redisson, String key) {
        RRateLimiter limiter = redisson.getRateLimiter(key);
        limiter.trySetRate(RateType.OVERALL, Long.MAX_VALUE / 4, Duration.ofDays(1));
        return limiter;
    }

    /** Closed loop: every thread debits as fast as it can. */
    private static double maxRate(IntConsumer debit, Duration length) throws Exception {
        AtomicInteger n = new AtomicInteger();
        long end = System.nanoTime() + length.toNanos();
        try (ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
            for (int t = 0; t < THREADS; t++) {
                threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        debit.accept(n.getAndIncrement());
                    }
                });
            }
        }
        return n.get() / (length.toNanos() / 1e9);
    }

    private record Steady(double p50, double p99, double achieved) {}

    /** Open loop at RATE debits/s spread over the threads; latency measured from each debit's scheduled time. */
    private static Steady steady(IntConsumer debit) throws Exception {
        int total = (int) (RATE * STEADY.toSeconds());
        long[] latency = new long[total];
        long start = System.nanoTime() + 50_000_000;
        double interval = 1e9 / RATE;
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
            Future<?>[] all = new Future<?>[THREADS];
            for (int t = 0; t < THREADS; t++) {
                all[t] = threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        long due = start + (long) (i * interval);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        debit.accept(i);
                        latency[i] = System.nanoTime() - due; // includes any queueing behind a slow debit
                    }
                });
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latency);
        return new Steady(latency[total / 2] / 1e6, latency[(int) (total * 0.99)] / 1e6, total / seconds);
    }
}
