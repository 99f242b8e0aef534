package io.courier.tracing;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.List;

/**
 * Tracing is on when an OTLP endpoint is set, off otherwise: {@code courier.tracing.disabled} (which
 * application.properties gives to quarkus.otel.sdk.disabled) is true unless quarkus.otel.exporter.otlp.endpoint or
 * its traces.endpoint has a value. Written as an interceptor because a property expression cannot ask whether
 * another property is set; without it Quarkus would export to localhost:4317 and log every failed export. Setting
 * courier.tracing.disabled (or QUARKUS_OTEL_SDK_DISABLED) yourself still wins.
 */
// Below the expression interceptor (LIBRARY + 300), so that ${courier.tracing.disabled} resolves through this one.
@Priority(Priorities.LIBRARY + 200)
public class TracingSwitch implements ConfigSourceInterceptor {

    static final String NAME = "courier.tracing.disabled";
    static final List<String> ENDPOINTS = List.of("quarkus.otel.exporter.otlp.traces.endpoint",
            "quarkus.otel.exporter.otlp.endpoint");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!NAME.equals(name) || value != null) {
            return value;
        }
        // Quarkus itself gives quarkus.otel.exporter.otlp.endpoint a default (localhost:4317): only a value someone
        // set counts, not one from the defaults (their source's ordinal is Integer.MIN_VALUE).
        boolean endpoint = ENDPOINTS.stream().map(context::proceed)
                .anyMatch(v -> v != null && v.getValue() != null && !v.getValue().isBlank()
                        && v.getConfigSourceOrdinal() != Integer.MIN_VALUE);
        return ConfigValue.builder().withName(NAME).withValue(Boolean.toString(!endpoint))
                .withConfigSourceName(TracingSwitch.class.getSimpleName()).build();
    }
}
