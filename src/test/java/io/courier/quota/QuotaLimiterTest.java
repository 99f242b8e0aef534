package io.courier.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.job.LinkedInOperation;
import io.courier.testkit.CourierServices;
import io.courier.testkit.Overrides;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** The Redis limiter against real Redis: atomic, all-or-nothing debits, windows, the post reserve, LinkedIn's word. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class QuotaLimiterTest {

    @Inject
    RedissonClient redisson;
    @Inject
    QuotaConfig real;

    record Budget(long appDaily, long memberDaily, Optional<Double> ratePerSecond, int burst) {}

    /** A limiter of its own: budgets of the test's choosing, under a key prefix no other test shares. */
    private QuotaLimiter limiter(Duration window, Budget budget) {
        Map<String, String> properties = new HashMap<>(Map.of("courier.quota.window", window.toString(),
                "courier.quota.key-prefix", "quota-test-" + UUID.randomUUID()));
        for (LinkedInOperation r : LinkedInOperation.values()) {
            String key = "courier.quota.resources." + r.configKey;
            properties.put(key + ".app-daily", String.valueOf(budget.appDaily()));
            properties.put(key + ".member-daily", String.valueOf(budget.memberDaily()));
            properties.put(key + ".rate-per-second", budget.ratePerSecond().map(String::valueOf).orElse(""));
            properties.put(key + ".burst", String.valueOf(budget.burst()));
        }
        return new QuotaLimiter(redisson, Overrides.of(QuotaConfig.class, properties), new SimpleMeterRegistry());
    }

    @Test
    void concurrentDebitsOnOneHotKeyNeverOverspend() throws Exception {
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(500, 1_000_000, Optional.empty(), 10));
        AtomicInteger granted = new AtomicInteger();
        List<Callable<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            workers.add(() -> {
                for (int i = 0; i < 40; i++) {
                    if (limiter.debit(LinkedInOperation.POSTS_CREATE, "hot-account",
                            true) instanceof QuotaLimiter.Permit.Go) {
                        granted.incrementAndGet();
                    }
                }
                return null;
            });
        }
        try (ExecutorService threads = Executors.newFixedThreadPool(32)) {
            for (Future<Void> f : threads.invokeAll(workers)) {
                f.get();
            }
        }
        assertThat(granted.get()).isEqualTo(500); // 1 280 tries: every unit spent, none twice
        assertThat(limiter.appRemaining(LinkedInOperation.POSTS_CREATE)).contains(0.0);
        var denied = (QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.POSTS_CREATE, "hot-account", true);
        assertThat(denied.reason()).isEqualTo("app-daily");
        assertThat(denied.delay()).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
    }

    @Test
    void callsDebitedTogetherAreEachAllOrNothingAndAMemberOverItsBudgetSpendsNothingOfTheOthers() throws Exception {
        // 60 calls at once gather into a few batches of one script run each (Coalescer): "spent" has a member budget
        // of 5 and 30 calls, 30 others one call each; the app budget (40) has room for all that may go.
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(40, 5, Optional.empty(), 10));
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String other = "other-" + i;
            calls.add(() -> reasonOf(limiter.debit(LinkedInOperation.POSTS_CREATE, "spent", true)));
            calls.add(() -> reasonOf(limiter.debit(LinkedInOperation.POSTS_CREATE, other, true)));
        }
        Map<String, Integer> reasons = new HashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = threads.invokeAll(calls);
            for (int i = 0; i < answers.size(); i++) {
                String who = i % 2 == 0 ? "spent " : "other ";
                reasons.merge(who + answers.get(i).get(), 1, Integer::sum);
            }
        }
        assertThat(reasons).isEqualTo(Map.of("spent go", 5, "spent member-daily", 25, "other go", 30));
        assertThat(limiter.appRemaining(LinkedInOperation.POSTS_CREATE)).contains(5.0); // 35 of 40 debited, no more
    }

    private static String reasonOf(QuotaLimiter.Permit permit) {
        return permit instanceof QuotaLimiter.Permit.Wait wait ? wait.reason() : "go";
    }

    @Test // (post jobs here: the whole app budget, no reserve)
    void aMemberBudgetIsPerAccountAndARefusedDebitSpendsNothing() {
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(5, 3, Optional.empty(), 10));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.debit(LinkedInOperation.USERINFO, "a", true)).isInstanceOf(QuotaLimiter.Permit.Go.class);
        }
        assertThat(((QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.USERINFO, "a", true)).reason())
                .isEqualTo("member-daily");
        // The refused call did not debit the app budget: b still gets the last two of the five.
        assertThat(limiter.debit(LinkedInOperation.USERINFO, "b", true)).isInstanceOf(QuotaLimiter.Permit.Go.class);
        assertThat(limiter.debit(LinkedInOperation.USERINFO, "b", true)).isInstanceOf(QuotaLimiter.Permit.Go.class);
        assertThat(((QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.USERINFO, "b", true)).reason())
                .isEqualTo("app-daily");
    }

    @Test
    void theReservedShareHoldsUnderASyncFlood() throws Exception {
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(100, 1_000_000, Optional.empty(), 10));
        AtomicInteger syncs = new AtomicInteger();
        try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
            List<Callable<Void>> flood = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                flood.add(() -> {
                    for (int i = 0; i < 20; i++) {
                        if (limiter.debit(LinkedInOperation.USERINFO, "acct-" + i,
                                false) instanceof QuotaLimiter.Permit.Go) {
                            syncs.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : threads.invokeAll(flood)) {
                f.get();
            }
        }
        assertThat(syncs.get()).isEqualTo(80);
        int posts = 0;
        while (limiter.debit(LinkedInOperation.USERINFO, "poster", true) instanceof QuotaLimiter.Permit.Go) {
            posts++;
        }
        assertThat(posts).isEqualTo(20);
    }

    @Test
    void theMembersThatUsedMostOfABudgetAreRankedForTheWindow() {
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(100, 3, Optional.empty(), 10));
        for (int i = 0; i < 4; i++) { // the fourth is refused (member-daily): not counted
            limiter.debit(LinkedInOperation.POSTS_GET, "busy", true);
        }
        limiter.debit(LinkedInOperation.POSTS_GET, "quiet", true);
        limiter.debit(LinkedInOperation.POSTS_GET, "some:one@example.com", true);
        limiter.debit(LinkedInOperation.POSTS_GET, "some:one@example.com", true);
        assertThat(limiter.topMembers(LinkedInOperation.POSTS_GET, 2)).containsExactly(
                new QuotaLimiter.MemberUse("busy", 3), new QuotaLimiter.MemberUse("some:one@example.com", 2));
        assertThat(limiter.topMembers(LinkedInOperation.USERINFO, 3)).isEmpty();
    }

    @Test
    void aNewWindowBringsANewBudgetAndKeysExpireWithTheirs() throws Exception {
        QuotaLimiter limiter = limiter(Duration.ofSeconds(2), new Budget(3, 1_000_000, Optional.empty(), 10));
        waitForWindowStart(Duration.ofSeconds(2));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.debit(LinkedInOperation.SHARE_STATISTICS, "a", true))
                    .isInstanceOf(QuotaLimiter.Permit.Go.class);
        }
        var wait = (QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.SHARE_STATISTICS, "a", true);
        assertThat(wait.delay()).isLessThanOrEqualTo(Duration.ofSeconds(2));
        Thread.sleep(wait.delay().toMillis() + 50);
        assertThat(limiter.debit(LinkedInOperation.SHARE_STATISTICS, "a", true))
                .isInstanceOf(QuotaLimiter.Permit.Go.class);
        long ttl = redisson.getKeys().getKeysStream().filter(k -> k.contains("{share-statistics}:app"))
                .mapToLong(k -> redisson.getBucket(k).remainTimeToLive()).max().orElse(-1);
        assertThat(ttl).as("the app counter expires with its window (+1 min grace)").isPositive()
                .isLessThanOrEqualTo(62_000);
        // The shortest: other tests' limiters (their own prefixes, hour-long windows) may have one too.
        long ranking = redisson.getKeys().getKeysStream().filter(k -> k.contains("{share-statistics}:top"))
                .mapToLong(k -> redisson.getBucket(k).remainTimeToLive()).min().orElse(-1);
        assertThat(ranking).as("the members' ranking ends with its window").isPositive().isLessThanOrEqualTo(2_000);
    }

    @Test
    void linkedInsDayLimitOverridesACountThatThoughtOtherwise() {
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(1000, 1000, Optional.empty(), 10));
        assertThat(limiter.debit(LinkedInOperation.ORGANIZATION_ACLS, "a", false))
                .isInstanceOf(QuotaLimiter.Permit.Go.class);
        Duration left = limiter.markSpent(LinkedInOperation.ORGANIZATION_ACLS, Optional.empty());
        assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
        var wait = (QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.ORGANIZATION_ACLS, "other", false);
        assertThat(wait.reason()).isEqualTo("app-daily");
        assertThat(wait.untilNextWindow()).isTrue();
        // A member-level DAY limit stops that member only.
        limiter.markSpent(LinkedInOperation.USERINFO, Optional.of("m1"));
        assertThat(((QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.USERINFO, "m1", false)).reason())
                .isEqualTo("member-daily");
        assertThat(limiter.debit(LinkedInOperation.USERINFO, "m2", false)).isInstanceOf(QuotaLimiter.Permit.Go.class);
    }

    @Test
    void theShortTermRateAndA429CooldownAreHonoured() throws Exception {
        // 2 calls a second, burst 5: the five debits have 500 ms before a token comes back (at 10/s a run of this test
        // first in its JVM, with the app still starting, once took over 100 ms and found a refilled token).
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(1000, 1000, Optional.of(2.0), 5));
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.debit(LinkedInOperation.POSTS_BY_AUTHOR, "a" + i, false))
                    .isInstanceOf(QuotaLimiter.Permit.Go.class);
        }
        var rate = (QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.POSTS_BY_AUTHOR, "a", false);
        assertThat(rate.reason()).isEqualTo("rate");
        assertThat(rate.delay()).isLessThanOrEqualTo(Duration.ofMillis(510));
        assertThat(rate.untilNextWindow()).isFalse();

        // Five 429s with nothing but refusals in the window (app-cooldown-after = 5): everyone holds back.
        for (int i = 0; i < 4; i++) {
            assertThat(limiter.refused(LinkedInOperation.POSTS_CREATE, "r" + i, Optional.of(Duration.ofMillis(800)))
                    .appHeldBack())
                    .as("refusal %d of 5", i + 1).isFalse();
        }
        assertThat(limiter.refused(LinkedInOperation.POSTS_CREATE, "r4", Optional.of(Duration.ofMillis(800)))
                .appHeldBack()).isTrue();
        var cooling = (QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.POSTS_CREATE, "x", true);
        assertThat(cooling.reason()).isEqualTo("cooldown");
        assertThat(cooling.delay()).isLessThanOrEqualTo(Duration.ofMillis(800));
        Thread.sleep(cooling.delay().toMillis() + 50);
        assertThat(limiter.debit(LinkedInOperation.POSTS_CREATE, "x", true)).isInstanceOf(QuotaLimiter.Permit.Go.class);
    }

    @Test
    void aLone429WithoutRetryAfterHoldsNobodyBackButASecondOneHoldsBackItsMember() {
        QuotaLimiter limiter = limiter(Duration.ofHours(1), new Budget(1000, 1000, Optional.empty(), 10));
        for (int i = 0; i < 50; i++) { // calls made, so that two refusals are not a pattern for the whole app
            assertThat(limiter.debit(LinkedInOperation.POSTS_CREATE, "busy" + i, true))
                    .isInstanceOf(QuotaLimiter.Permit.Go.class);
        }
        var first = limiter.refused(LinkedInOperation.POSTS_CREATE, "m", Optional.empty());
        assertThat(first.memberHeldBack()).isFalse();
        assertThat(first.appHeldBack()).isFalse();
        assertThat(limiter.debit(LinkedInOperation.POSTS_CREATE, "m", true)).isInstanceOf(QuotaLimiter.Permit.Go.class);

        var second = limiter.refused(LinkedInOperation.POSTS_CREATE, "m", Optional.empty());
        assertThat(second.memberHeldBack()).isTrue();
        assertThat(second.appHeldBack()).isFalse();
        var held = (QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.POSTS_CREATE, "m", true);
        assertThat(held.reason()).isEqualTo("member-cooldown");
        assertThat(held.delay()).isLessThanOrEqualTo(real.cooldown());
        assertThat(limiter.debit(LinkedInOperation.POSTS_CREATE, "other", true))
                .isInstanceOf(QuotaLimiter.Permit.Go.class);

        // Retry-After is LinkedIn saying how long: the member is held back on the first refusal.
        assertThat(limiter.refused(LinkedInOperation.POSTS_CREATE, "n", Optional.of(Duration.ofSeconds(30)))
                .memberHeldBack()).isTrue();
        var told = (QuotaLimiter.Permit.Wait) limiter.debit(LinkedInOperation.POSTS_CREATE, "n", true);
        assertThat(told.delay()).isGreaterThan(Duration.ofSeconds(29));
    }

    private static void waitForWindowStart(Duration window) throws InterruptedException {
        long ms = window.toMillis();
        Thread.sleep(ms - System.currentTimeMillis() % ms + 20);
    }
}
