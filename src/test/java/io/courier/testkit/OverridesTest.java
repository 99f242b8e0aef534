package io.courier.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.auth.TokenLifecycleConfig;
import io.courier.quota.QuotaConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A hand-built mapping is converted and validated as the real start does it, so a test cannot run on a bad value. */
class OverridesTest {

    @Test
    void replacesPropertiesAndKeepsTheMappingsDefaults() {
        TokenLifecycleConfig config = Overrides.of(TokenLifecycleConfig.class,
                Map.of("courier.tokens.lock-lease", "1s"));
        assertThat(config.lockLease()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.maxPark()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void refusesAValueTheMappingsConstraintsRefuse() {
        assertThatThrownBy(() -> Overrides.of(QuotaConfig.class, Map.of("courier.quota.post-reserve", "2")))
                .hasMessageContaining("courier.quota.post-reserve");
    }

    @Test
    void refusesAValueThatDoesNotConvert() {
        assertThatThrownBy(() -> Overrides.of(TokenLifecycleConfig.class, Map.of("courier.tokens.lock-lease", "soon")))
                .hasMessageContaining("courier.tokens.lock-lease");
    }
}
