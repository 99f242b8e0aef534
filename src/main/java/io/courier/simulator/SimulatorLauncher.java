package io.courier.simulator;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the built-in LinkedIn simulator with Courier when {@code courier.simulator.enabled=true} (the sim and
 * dev profiles). Off by default: in production nothing listens on its port.
 */
@ApplicationScoped
public class SimulatorLauncher {

    private static final Logger LOG = Logger.getLogger(SimulatorLauncher.class);

    @ConfigProperty(name = "courier.simulator.enabled", defaultValue = "false")
    boolean enabled;
    @ConfigProperty(name = "courier.simulator.port", defaultValue = "8090")
    int port;
    @ConfigProperty(name = "courier.simulator.client-id", defaultValue = "courier-sim-client")
    String clientId;
    @ConfigProperty(name = "courier.simulator.client-secret", defaultValue = "courier-sim-secret")
    String clientSecret;

    private LinkedInSimulator simulator;

    void start(@Observes @jakarta.annotation.Priority(1) StartupEvent event) {
        if (enabled) {
            simulator = LinkedInSimulator.start(SimulatorOptions.defaults().withPort(port).withClient(clientId, clientSecret));
            LOG.infof("LinkedIn simulator started url=%s (control API under /sim)", simulator.baseUrl());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (simulator != null) {
            simulator.close();
        }
    }
}
