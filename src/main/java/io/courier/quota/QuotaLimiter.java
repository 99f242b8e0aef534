package io.courier.quota;

import io.courier.job.LinkedInOperation;
import io.courier.platform.Coalescer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * LinkedIn's application and member daily budgets, shared by every pod: one Lua script checks and debits all the
 * buckets a call needs (app, member, short-term rate, cooldowns) all or nothing, on Redis's clock, in one round
 * trip, which the calls of one resource made at about the same time share ({@link Coalescer}). Counters live in hashes
 * stamped with their window number and expire with it, so keys never pile up.
 *
 * <p>Why not Redisson's RRateLimiter: it models one rate per key, so an app budget and a member budget would be two
 * round trips with no atomicity between them (a call could debit one and be refused by the other), it has no notion
 * of a window aligned to 00:00 UTC, and it cannot be told "LinkedIn says this day's budget is spent".
 * BENCHMARKS.md compares the two.
 */
@ApplicationScoped
public class QuotaLimiter {

    /** Whether a call may go now. */
    public sealed interface Permit {
        record Go(long appRemaining) implements Permit {}

        /**
         * Not before {@code delay}; {@code reason} names the bucket: app-daily, member-daily, rate, cooldown,
         * member-cooldown.
         */
        record Wait(Duration delay, String reason) implements Permit {
            public boolean untilNextWindow() {
                return reason.endsWith("-daily");
            }
        }
    }

    /** Calls in one debit batch: two keys and two arguments each. */
    private static final int MAX_BATCH = 128;

    private final RedissonClient redisson;
    private final QuotaConfig config;
    private final Script debitScript = new Script("debit.lua");
    private final Map<LinkedInOperation, Coalescer<Debit, Permit>> debits = new EnumMap<>(LinkedInOperation.class);
    private final Script spendScript = new Script("spend.lua");
    private final Script refusedScript = new Script("refused.lua");
    private final Script remainingScript = new Script("remaining.lua");

    QuotaLimiter(RedissonClient redisson, QuotaConfig config, MeterRegistry metrics) {
        this.redisson = redisson;
        this.config = config;
        for (LinkedInOperation r : LinkedInOperation.values()) {
            config.budgetOf(r); // a missing budget fails the start, naming the property
            // A batch's keys share the resource's Redis Cluster slot (see base); at most as many calls as can be in
            // flight go in one.
            debits.put(r, new Coalescer<>("courier-quota-" + r.configKey, MAX_BATCH, calls -> debitAll(r, calls)));
            Gauge.builder("courier.quota.app.remaining", this, l -> l.appRemaining(r).orElse(Double.NaN))
                    .tag("resource", r.endpoint)
                    .description("calls left in the application's budget for this window")
                    .register(metrics);
            long appDaily = config.budgetOf(r).appDaily();
            Gauge.builder("courier.quota.app.limit", () -> appDaily).tag("resource", r.endpoint)
                    .description("calls the application's budget allows per window (courier.quota.resources.*)")
                    .register(metrics);
        }
        // A budget under a name no operation has (a typo) would leave the real one at its default: refuse it.
        java.util.Set<String> known = java.util.Arrays.stream(LinkedInOperation.values()).map(op -> op.configKey)
                .collect(java.util.stream.Collectors.toSet());
        config.resources().keySet().stream().filter(key -> !known.contains(key)).findFirst().ifPresent(key -> {
            throw new IllegalStateException(
                    "courier.quota.resources." + key + ": no LinkedIn operation has that budget "
                            + "key (known: " + known.stream().sorted().toList() + ")");
        });
    }

    /** Debits one call of {@code resource} for the account, if every budget it needs has room. */
    public Permit debit(LinkedInOperation resource, String accountId, boolean postJob) {
        return debits.get(resource).call(new Debit(accountId, postJob));
    }

    /** One call's debit, waiting to go to Redis with the others of its resource. */
    private record Debit(String accountId, boolean postJob) {}

    /**
     * The debits of calls of one resource made at about the same time, in one round trip: debit.lua checks and
     * debits each call all or nothing, in order, as if each had gone alone (BENCHMARKS.md: one script run per
     * call cost more of Courier's CPU than anything else it does per job).
     */
    private List<Permit> debitAll(LinkedInOperation resource, List<Debit> calls) {
        QuotaConfig.Budget budget = config.budgetOf(resource);
        List<Object> keys = new ArrayList<>(5 + 2 * calls.size());
        keys.addAll(List.of(appKey(resource), base(resource) + ":rate", base(resource) + ":cooldown",
                base(resource) + ":recent", topKey(resource)));
        List<Object> args = new ArrayList<>(4 + 2 * calls.size());
        args.addAll(List.of(String.valueOf(config.window().toMillis()),
                String.valueOf(budget.ratePerSecond().orElse(0.0)), String.valueOf(budget.burst()),
                String.valueOf(config.cooldown().toMillis())));
        long syncAppLimit = (long) Math.floor(budget.appDaily() * (1 - config.postReserve()));
        for (Debit call : calls) {
            keys.add(memberKey(resource, call.accountId()));
            keys.add(base(resource) + ":cooldown:" + call.accountId());
            args.add(String.valueOf(call.postJob() ? budget.appDaily() : syncAppLimit));
            args.add(String.valueOf(budget.memberDaily()));
        }
        List<Object> result = run(debitScript, keys, args.toArray());
        List<Permit> permits = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            long go = (Long) result.get(3 * i);
            long value = (Long) result.get(3 * i + 1);
            permits.add(go == 1
                    ? new Permit.Go(value)
                    : new Permit.Wait(Duration.ofMillis(Math.max(1, value)), (String) result.get(3 * i + 2)));
        }
        return permits;
    }

    @PreDestroy
    void close() {
        debits.values().forEach(Coalescer::close);
    }

    /** What a short-term 429 changed: refusals and calls in the recent window, and who every pod now holds back. */
    public record Refusal(long refused, long calls, boolean memberHeldBack, boolean appHeldBack) {}

    /**
     * A short-term 429 for the account, in one round trip: counted against the recent calls; the member is held back
     * for Retry-After, or for courier.quota.cooldown on its second refusal within it; the whole resource once the
     * refusals reach courier.quota.app-cooldown-after and courier.quota.app-cooldown-share of the calls.
     */
    public Refusal refused(LinkedInOperation resource, String accountId, Optional<Duration> retryAfter) {
        List<Object> r = run(refusedScript, List.of(base(resource) + ":recent", base(resource) + ":strike:" + accountId,
                base(resource) + ":cooldown:" + accountId, base(resource) + ":cooldown"),
                String.valueOf(config.cooldown().toMillis()),
                String.valueOf(retryAfter.map(Duration::toMillis).orElse(0L)),
                String.valueOf(config.appCooldownAfter()), String.valueOf(config.appCooldownShare()));
        return new Refusal((Long) r.get(0), (Long) r.get(1), (Long) r.get(2) == 1, (Long) r.get(3) == 1);
    }

    /** A 429 "DAY limit": the bucket is spent until its window ends. Returns the time left in the window. */
    public Duration markSpent(LinkedInOperation resource, Optional<String> accountId) {
        String key = accountId.map(id -> memberKey(resource, id)).orElse(appKey(resource));
        List<Object> left = run(spendScript, List.of(key), String.valueOf(config.window().toMillis()));
        return Duration.ofMillis((Long) left.get(0));
    }

    /** Calls left in the application budget this window (for the gauge and the replay estimate). */
    public Optional<Double> appRemaining(LinkedInOperation resource) {
        try {
            // The window is Redis's, as in debit.lua: a pod's own clock, a little off, would read the next window's
            // fresh budget, or the last one's spent budget, around midnight.
            List<Object> r = run(remainingScript, List.of(appKey(resource)),
                    String.valueOf(config.window().toMillis()));
            long used = (Long) r.get(0);
            boolean spent = (Long) r.get(1) == 1;
            return Optional.of(spent ? 0.0 : Math.max(0, config.budgetOf(resource).appDaily() - used));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** One of the Lua scripts, called by its SHA; after a Redis restart (NOSCRIPT) it is loaded again. */
    private static final class Script {
        final String source;
        volatile String sha;

        Script(String name) {
            try (InputStream in = QuotaLimiter.class.getResourceAsStream("/quota/" + name)) {
                this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private List<Object> run(Script lua, List<Object> keys, Object... args) {
        RScript script = redisson.getScript(StringCodec.INSTANCE);
        String sha = lua.sha;
        if (sha != null) {
            try {
                return script.evalSha(RScript.Mode.READ_WRITE, sha, RScript.ReturnType.LIST, keys, args);
            } catch (RedisException e) {
                if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
                    throw e;
                }
            }
        }
        lua.sha = sha = script.scriptLoad(lua.source);
        return script.evalSha(RScript.Mode.READ_WRITE, sha, RScript.ReturnType.LIST, keys, args);
    }

    private String base(LinkedInOperation resource) {
        // One hash tag per resource: a resource's keys share a Redis Cluster slot, as a multi-key script needs.
        return config.keyPrefix() + ":{" + resource.configKey + "}";
    }

    private String appKey(LinkedInOperation resource) {
        return base(resource) + ":app";
    }

    /** An account's calls of a resource this window, as debit.lua ranks them. */
    public record MemberUse(String accountId, long calls) {}

    /**
     * The {@code n} accounts that used the most of the resource's budget this window; empty if Redis does not answer.
     */
    public List<MemberUse> topMembers(LinkedInOperation resource, int n) {
        String prefix = memberKey(resource, "");
        try {
            return redisson.<String>getScoredSortedSet(topKey(resource), StringCodec.INSTANCE)
                    .entryRangeReversed(0, n - 1).stream()
                    .map(e -> new MemberUse(e.getValue().substring(Math.min(prefix.length(), e.getValue().length())),
                            e.getScore().longValue()))
                    .toList();
        } catch (RuntimeException e) { // Redis down: the console says none rather than failing the page
            return List.of();
        }
    }

    private String topKey(LinkedInOperation resource) {
        return base(resource) + ":top";
    }

    private String memberKey(LinkedInOperation resource, String accountId) {
        return base(resource) + ":member:" + accountId;
    }
}
