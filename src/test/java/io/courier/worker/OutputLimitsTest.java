package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A job Courier accepts must fit a retry tier with Courier's headers: bad sizes stop the start, naming the property.
 */
class OutputLimitsTest {

    @Test
    void theDefaultsLeaveRoomForCouriersHeaders() {
        assertThatCode(() -> OutputLimits.check(1_032_192, 1_048_576)).doesNotThrowAnyException();
    }

    @Test
    void aRecordLimitAsLargeAsTheProducersIsRefusedNamingBothProperties() {
        assertThatThrownBy(() -> OutputLimits.check(1_048_576, 1_048_576)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("courier.worker.max-record-bytes (1048576)")
                .hasMessageContaining("courier.kafka.max-request-size (1048576)");
    }
}
