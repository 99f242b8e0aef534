package io.courier.simulator;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the built-in LinkedIn simulator with Courier when {@code courier.simulator.enabled=true} (the sim and
 * dev profiles). Off by default, refused in the prod profile, and on loopback unless courier.simulator.host says
 * otherwise: its control API (/sim) is unauthenticated and mints tokens, so it must never face a network.
 */
@ApplicationScoped
public class SimulatorLauncher {

    private static final Logger LOG = Logger.getLogger(SimulatorLauncher.class);

    @ConfigProperty(name = "courier.simulator.enabled", defaultValue = "false")
    boolean enabled;
    @ConfigProperty(name = "courier.simulator.host", defaultValue = "127.0.0.1")
    String host;
    @ConfigProperty(name = "courier.simulator.port", defaultValue = "8090")
    int port;
    @ConfigProperty(name = "courier.simulator.client-id", defaultValue = "courier-sim-client")
    String clientId;
    @ConfigProperty(name = "courier.simulator.client-secret", defaultValue = "courier-sim-secret")
    String clientSecret;

    private LinkedInSimulator simulator;

    void start(@Observes @jakarta.annotation.Priority(1) StartupEvent event) {
        if (enabled && ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getProfiles().contains("prod")) {
            throw new ConfigurationException("courier.simulator.enabled=true is refused in the prod profile: the simulator's"
                    + " control API is unauthenticated; run it with QUARKUS_PROFILE=sim (deploy/courier-local.sh does)");
        }
        if (enabled) {
            simulator = LinkedInSimulator.start(SimulatorOptions.defaults().withHost(host).withPort(port)
                    .withClient(clientId, clientSecret));
            LOG.infof("LinkedIn simulator started url=%s (control API under /sim)", simulator.baseUrl());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (simulator != null) {
            simulator.close();
        }
    }
}
