package io.courier.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is off unless an OTLP endpoint is set; an explicit setting wins. Read as Quarkus reads its config. */
class TracingSwitchTest {

    @Test
    void offWithoutAnEndpoint() {
        assertThat(sdkDisabled(Map.of())).isTrue();
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", " "))).isTrue();
    }

    @Test
    void offWithOnlyQuarkussOwnDefaultEndpoint() {
        assertThat(sdkDisabled(Map.of(), Map.of("quarkus.otel.exporter.otlp.endpoint", "http://localhost:4317/")))
                .isTrue();
    }

    @Test
    void onWithAnEndpointForTracesOrForEverything() {
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317"))).isFalse();
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://collector:4318")))
                .isFalse();
    }

    @Test
    void anExplicitSettingWins() {
        assertThat(sdkDisabled(Map.of("courier.tracing.disabled", "false"))).isFalse();
        assertThat(sdkDisabled(Map.of("courier.tracing.disabled", "true",
                "quarkus.otel.exporter.otlp.endpoint", "http://collector:4317"))).isTrue();
    }

    private static boolean sdkDisabled(Map<String, String> set) {
        return sdkDisabled(set, Map.of());
    }

    /** As Quarkus reads it: {@code defaults} as an extension's config builder registers them (OTel's endpoint). */
    private static boolean sdkDisabled(Map<String, String> set, Map<String, String> defaults) {
        Map<String, String> properties = new HashMap<>(set);
        properties.put("quarkus.otel.sdk.disabled", "${courier.tracing.disabled}"); // as application.properties
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withInterceptors(new TracingSwitch()).withDefaultValues(defaults)
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return config.getValue("quarkus.otel.sdk.disabled", Boolean.class);
    }
}
