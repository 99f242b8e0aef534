package io.courier.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The contract's default policies (read from application.properties, as in production), decided as a table. */
class RetryPolicyTest {

    private static final Instant NOON_UTC = Instant.parse("2026-11-25T12:00:00Z");

    static RetryConfig config(Map<String, String> overrides) {
        return config(overrides, "-");
    }

    /** The retry properties of application.properties (no profile), minus those under {@code without}. */
    static RetryConfig config(Map<String, String> overrides, String without) {
        Properties props = new Properties();
        try (InputStream in = RetryPolicyTest.class.getResourceAsStream("/application.properties")) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> values = new HashMap<>();
        props.stringPropertyNames().stream().filter(k -> k.startsWith("courier.retry.") && !k.startsWith(without))
                .forEach(k -> values.put(k, props.getProperty(k)));
        values.putAll(overrides);
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(RetryConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new MapBackedConfigSource("test", values, 500) {}).build();
        return config.getConfigMapping(RetryConfig.class);
    }

    private final RetryPolicy policy = new RetryPolicy(config(Map.of()));

    private static Failure failure(ErrorClass c, Optional<Duration> retryAfter) {
        return new Failure(c, c + " happened", OptionalInt.empty(), Optional.empty(), OptionalInt.empty(),
                Optional.empty(), retryAfter);
    }

    @ParameterizedTest(name = "{0} after {1} attempts -> {2}")
    @CsvSource({"INVALID_JOB, 0, DeadLetter", "BAD_REQUEST, 1, DeadLetter", "VERSION_UNSUPPORTED, 1, DeadLetter",
            "DUPLICATE, 1, TreatAsSuccess", "RATE_LIMITED, 1, RetryLater", "RATE_LIMITED, 6, RetryLater",
            "RATE_LIMITED, 7, DeadLetter", "SERVER_ERROR, 9, RetryLater", "SERVER_ERROR, 10, DeadLetter",
            "NETWORK, 10, DeadLetter", "INTERNAL, 1, DeadLetter", "PERMISSION_DENIED, 1, RetryLater",
            "PERMISSION_DENIED, 2, DeadLetter",
            "QUOTA_EXHAUSTED, 99, RetryLater", "APP_CREDENTIALS, 50, RetryLater"})
    void decidesByClassAndAttempts(ErrorClass errorClass, int attempts, String expected) {
        Decision decision = policy.decide(failure(errorClass, Optional.empty()), attempts, 0, NOON_UTC, 0.0);
        assertThat(decision.getClass().getSimpleName()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "rate-limited attempt {0}, jitter {1} -> {2} ms")
    @CsvSource({"1, 0.0, 1000", "2, 0.0, 2000", "3, 0.0, 4000", "3, 1.0, 4500", "6, 0.5, 32250"})
    void rateLimitedBacksOffOneSecondTimesTwoToTheNPlusJitter(int attempts, double jitter, long expectedMs) {
        Decision d = policy.decide(failure(ErrorClass.RATE_LIMITED, Optional.empty()), attempts, 0, NOON_UTC, jitter);
        assertThat(((Decision.RetryLater) d).dueAt()).isEqualTo(NOON_UTC.plusMillis(expectedMs));
    }

    @Test
    void honoursALongerRetryAfterButNotAShorterOne() {
        Decision longer = policy.decide(failure(ErrorClass.RATE_LIMITED, Optional.of(Duration.ofSeconds(30))), 1, 0,
                NOON_UTC, 0);
        assertThat(((Decision.RetryLater) longer).dueAt()).isEqualTo(NOON_UTC.plusSeconds(30));
        Decision shorter = policy.decide(failure(ErrorClass.RATE_LIMITED, Optional.of(Duration.ofMillis(10))), 1, 0,
                NOON_UTC, 0);
        assertThat(((Decision.RetryLater) shorter).dueAt()).isEqualTo(NOON_UTC.plusSeconds(1));
    }

    @Test
    void serverErrorsGetOneInlineRetryThenFiveSecondsTimesTwoToTheN() {
        assertThat(policy.inlineRetries(ErrorClass.SERVER_ERROR, 0)).isEqualTo(1);
        assertThat(policy.inlineRetries(ErrorClass.SERVER_ERROR, 2)).as("only on the first run").isZero();
        assertThat(policy.inlineRetries(ErrorClass.RATE_LIMITED, 0)).isZero();
        Decision afterInline = policy.decide(failure(ErrorClass.SERVER_ERROR, Optional.empty()), 2, 0, NOON_UTC, 0);
        assertThat(((Decision.RetryLater) afterInline).dueAt()).isEqualTo(NOON_UTC.plusSeconds(5));
        Decision d = policy.decide(failure(ErrorClass.SERVER_ERROR, Optional.empty()), 4, 0, NOON_UTC, 0);
        assertThat(((Decision.RetryLater) d).dueAt()).isEqualTo(NOON_UTC.plusSeconds(20));
    }

    @Test
    void serverErrorsWaitAtMostFiveMinutesBetweenAttemptsAndGiveUpAfterAboutAQuarterOfAnHour() {
        Duration total = Duration.ZERO;
        for (int attempts = 2; attempts < 10; attempts++) {
            Decision d = policy.decide(failure(ErrorClass.SERVER_ERROR, Optional.empty()), attempts, 0, NOON_UTC, 0);
            Duration wait = Duration.between(NOON_UTC, ((Decision.RetryLater) d).dueAt());
            assertThat(wait).isLessThanOrEqualTo(Duration.ofMinutes(5));
            total = total.plus(wait);
        }
        assertThat(total).isBetween(Duration.ofMinutes(14), Duration.ofMinutes(17));
    }

    @Test
    void aDeferredRunWaitsAboutAsLongAsTheJobHasBeenFailingAndIsNoAttempt() {
        Failure open = failure(ErrorClass.SERVER_ERROR, Optional.empty());
        Decision first = policy.defer(open, 2, 1, Optional.of(NOON_UTC), NOON_UTC, 0);
        assertThat(((Decision.RetryLater) first).dueAt()).as("the initial delay").isEqualTo(NOON_UTC.plusSeconds(5));
        assertThat(first.attempts()).as("the calls before the deferred failure count, the failure does not")
                .isEqualTo(3);
        Decision later = policy.defer(open, 0, 0, Optional.of(NOON_UTC.minusSeconds(40)), NOON_UTC, 0);
        assertThat(((Decision.RetryLater) later).dueAt()).isEqualTo(NOON_UTC.plusSeconds(40));
        Decision capped = policy.defer(open, 0, 0, Optional.of(NOON_UTC.minus(Duration.ofHours(2))), NOON_UTC, 0);
        assertThat(((Decision.RetryLater) capped).dueAt()).as("max-delay")
                .isEqualTo(NOON_UTC.plus(Duration.ofMinutes(5)));
        Decision over = policy.defer(open, 0, 0, Optional.of(NOON_UTC.minus(Duration.ofHours(25))), NOON_UTC, 0);
        assertThat(over).as("courier.retry.give-up-after").isInstanceOf(Decision.DeadLetter.class);
        assertThat(((Decision.DeadLetter) over).reason()).contains("give-up-after");
    }

    @Test
    void quotaExhaustedWaitsForUtcMidnightWithoutSpendingAnAttempt() {
        Decision d = policy.decide(failure(ErrorClass.QUOTA_EXHAUSTED, Optional.empty()), 3, 1, NOON_UTC, 0.5);
        Decision.RetryLater later = (Decision.RetryLater) d;
        assertThat(later.attempts()).as("the refused call is no attempt").isEqualTo(3);
        assertThat(later.dueAt()).isEqualTo(Instant.parse("2026-11-26T00:07:30Z"));
    }

    @ParameterizedTest(name = "{0}: {1} attempts before, {2} calls -> {3} attempts, {4}")
    @CsvSource({"SERVER_ERROR, 0, 2, 2, RetryLater", "SERVER_ERROR, 8, 2, 10, DeadLetter",
            "RATE_LIMITED, 6, 1, 7, DeadLetter",
            "QUOTA_EXHAUSTED, 4, 1, 4, RetryLater", "AUTH_EXPIRED, 0, 2, 2, RetryLater",
            "REAUTH_REQUIRED, 1, 1, 2, Park",
            "DUPLICATE, 0, 1, 1, TreatAsSuccess", "INVALID_JOB, 0, 0, 0, DeadLetter"})
    void theDecisionSaysWhetherTheRunsCallsCount(ErrorClass errorClass, int before, int calls, int after,
            String expected) {
        Decision decision = policy.decide(failure(errorClass, Optional.empty()), before, calls, NOON_UTC, 0);
        assertThat(decision.getClass().getSimpleName()).isEqualTo(expected);
        assertThat(decision.attempts()).isEqualTo(after);
    }

    @ParameterizedTest(name = "budget wait {0} ms, spread {1} ms, draw {2} -> due after {3} ms")
    @CsvSource({"500, 500, 0.0, 500", "500, 500, 0.999, 1000", "3600000, 900000, 0.5, 4050000", "0, 0, 0.7, 0"})
    void aBudgetWaitIsTheWaitPlusADrawOfTheSpreadAndKeepsTheCallsBefore(long waitMs, long spreadMs, double draw,
            long dueMs) {
        Decision.RetryLater later = policy.waitForBudget(2, 1, Duration.ofMillis(waitMs), Duration.ofMillis(spreadMs),
                NOON_UTC, draw);
        assertThat(later.dueAt()).isEqualTo(NOON_UTC.plusMillis(dueMs));
        assertThat(later.attempts()).isEqualTo(3);
    }

    @Test
    void configurationOverridesChangeTheDecision() {
        RetryPolicy patient = new RetryPolicy(config(Map.of(
                "courier.retry.policies.bad-request.action", "retry",
                "courier.retry.policies.bad-request.max-attempts", "3",
                "courier.retry.policies.rate-limited.max-attempts", "2")));
        assertThat(patient.decide(failure(ErrorClass.BAD_REQUEST, Optional.empty()), 1, 0, NOON_UTC, 0))
                .isInstanceOf(Decision.RetryLater.class);
        assertThat(patient.decide(failure(ErrorClass.RATE_LIMITED, Optional.empty()), 2, 0, NOON_UTC, 0))
                .isInstanceOf(Decision.DeadLetter.class);
    }

    @Test
    void aMissingPolicyFailsTheStartNamingTheProperty() {
        RetryConfig withoutNetwork = config(Map.of(), "courier.retry.policies.network.");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RetryPolicy(withoutNetwork))
                .hasMessageContaining("courier.retry.policies.network.action");
    }
}
