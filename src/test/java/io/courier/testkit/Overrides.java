package io.courier.testkit;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * A config mapping with some properties replaced, for a second "pod" built by hand in a test. SmallRye Config builds
 * it as at start-up: the test's own configuration (every source, its profile) under the replacements, converted and
 * validated by the mapping's Bean Validation constraints, so a value the real start would refuse fails here too.
 */
public final class Overrides {

    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    private Overrides() {}

    /** {@code replaced} by full property name, e.g. {@code courier.tokens.lock-lease=1s}; an empty value unsets one. */
    public static <T> T of(Class<T> type, Map<String, String> replaced) {
        SmallRyeConfig current = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        List<ConfigSource> sources = new ArrayList<>();
        current.getConfigSources().forEach(sources::add);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withProfiles(current.getProfiles())
                .addDefaultInterceptors()
                .withSources(sources)
                .withSources(new PropertiesConfigSource(replaced, "Overrides", Integer.MAX_VALUE))
                // Quarkus's durations ("500ms", "7d"), as the application reads them
                .withConverter(Duration.class, 200, new DurationConverter())
                .withValidator((BeanValidationConfigValidator) () -> VALIDATOR)
                .withMapping(type)
                .build();
        return config.getConfigMapping(type);
    }
}
