package io.courier.simulator;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Starts the built-in LinkedIn simulator with Courier when {@code courier.simulator.enabled=true} (the sim and
 * dev profiles). Off by default, refused in the prod profile, and on loopback unless courier.simulator.host says
 * otherwise: its control API (/sim) is unauthenticated and mints tokens, so it must never face a network.
 */
@ApplicationScoped
public class SimulatorLauncher {

    private static final Logger LOG = Logger.getLogger(SimulatorLauncher.class);

    private final SimulatorConfig config;
    private LinkedInSimulator simulator;

    SimulatorLauncher(SimulatorConfig config) {
        this.config = config;
    }

    void start(@Observes @jakarta.annotation.Priority(1) StartupEvent event) {
        if (config.enabled() && ConfigUtils.getProfiles().contains("prod")) {
            throw new ConfigurationException(
                    "courier.simulator.enabled=true is refused in the prod profile: the simulator's"
                            + " control API is unauthenticated; run it with QUARKUS_PROFILE=sim (deploy/courier-local.sh does)");
        }
        if (config.enabled()) {
            simulator = LinkedInSimulator.start(config.options());
            LOG.infof("LinkedIn simulator started url=%s (control API under /sim)", simulator.baseUrl());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (simulator != null) {
            simulator.close();
        }
    }
}
