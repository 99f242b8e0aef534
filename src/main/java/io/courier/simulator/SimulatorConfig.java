package io.courier.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The built-in simulator inside a Courier process (courier.simulator.*). The simulator's own mapping: it shares no
 * code with Courier. Its defaults are SimulatorOptions', the ones a standalone simulator uses.
 */
@ConfigMapping(prefix = "courier.simulator")
public interface SimulatorConfig {

    /** Start the simulator with Courier (the sim and dev profiles); refused in the prod profile. */
    @WithDefault("false")
    boolean enabled();

    /** The address it binds: loopback unless you say otherwise (its /sim control API has no authentication). */
    @WithDefault(SimulatorOptions.DEFAULT_HOST)
    String host();

    /** Its HTTP port; the sim and dev profiles point courier.linkedin.*-base-url at it. */
    @WithDefault(SimulatorOptions.DEFAULT_PORT)
    int port();

    /** The one OAuth client the simulator accepts. */
    @WithDefault(SimulatorOptions.DEFAULT_CLIENT_ID)
    String clientId();

    /** That client's secret. */
    @WithDefault(SimulatorOptions.DEFAULT_CLIENT_SECRET)
    String clientSecret();

    default SimulatorOptions options() {
        return SimulatorOptions.defaults().withHost(host()).withPort(port()).withClient(clientId(), clientSecret());
    }
}
