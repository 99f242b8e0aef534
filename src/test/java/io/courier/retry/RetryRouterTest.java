package io.courier.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tier rule as a table: the largest tier not longer than the delay, so no record waits past its due time. */
class RetryRouterTest {

    /** The contract's tiers (application.properties); the router's other collaborators are not used by the rule. */
    private final RetryRouter router = router(Map.of());

    private static RetryRouter router(Map<String, String> overrides) {
        return new RetryRouter(RetryPolicyTest.config(overrides), null, null,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), null);
    }

    @ParameterizedTest(name = "a delay of {0} waits in the {1} tier")
    @CsvSource({"PT0S, PT1S", "PT0.5S, PT1S", "PT1S, PT1S", "PT9.999S, PT1S", "PT10S, PT10S", "PT59S, PT10S",
            "PT1M, PT1M", "PT9M59S, PT1M", "PT10M, PT10M", "PT59M, PT10M", "PT1H, PT1H", "PT10H, PT1H",
            "P1D, PT1H", "PT-5S, PT1S"})
    void picksTheLargestTierNotLongerThanTheDelay(Duration delay, Duration tier) {
        assertThat(router.tierFor(delay)).isEqualTo(tier);
    }

    @ParameterizedTest(name = "tiers {0}: a delay of {1} waits in the {2} tier")
    @CsvSource(delimiter = '|', value = {"1h,1s,10s | PT30S | PT10S", "1h,1s,10s | PT0.1S | PT1S",
            "1h,1s,10s | PT2H | PT1H", "30s | PT1S | PT30S", "30s | PT1M | PT30S", "500ms,2s | PT1.9S | PT0.5S"})
    void configuredTiersAreSortedBeforeChoosing(String tiers, Duration delay, Duration tier) {
        assertThat(router(Map.of("courier.retry.tiers", tiers)).tierFor(delay)).isEqualTo(tier);
    }

    @ParameterizedTest(name = "{0} is named {1}")
    @CsvSource({"PT1S, 1s", "PT10S, 10s", "PT1M, 1m", "PT90S, 90s", "PT10M, 10m", "PT1H, 1h", "PT2H, 2h",
            "PT61M, 61m", "PT0.5S, 500ms", "PT1.5S, 1500ms"})
    void tierTopicsAreNamedAfterTheirDelay(Duration tier, String name) {
        assertThat(RetryRouter.name(tier)).isEqualTo(name);
    }

    @Test
    void aTierTopicGivesBackItsOwnDelay() {
        assertThat(router.tierTopics()).containsExactly("linkedin.jobs.retry.1s", "linkedin.jobs.retry.10s",
                "linkedin.jobs.retry.1m", "linkedin.jobs.retry.10m", "linkedin.jobs.retry.1h");
        assertThat(router.tierDelay("linkedin.jobs.retry.10m")).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> router.tierDelay("linkedin.jobs.post")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("linkedin.jobs.post");
    }
}
