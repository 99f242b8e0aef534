package io.courier.simulator;

import java.time.Duration;

/**
 * How a simulated LinkedIn behaves where LinkedIn's own numbers are unknown or unpublished: they are options
 * (linkedin-api.md: "where a fact is unknown, the simulator must make it configurable rather than guess").
 *
 * @param host the address it listens on: loopback unless asked otherwise, since its control API (/sim) has
 * no authentication and can mint tokens and inject faults
 * @param quotaWindow length of a quota window; windows align to the epoch, so 1 day resets at 00:00 UTC
 * @param duplicateWindow how long identical commentary by one author counts as a duplicate post
 * @param latency added to every LinkedIn answer (control: PUT /sim/latency)
 */
public record SimulatorOptions(String host, int port, String clientId, String clientSecret, Duration quotaWindow,
        Duration duplicateWindow, Duration latency) {

    // Strings, so that SimulatorConfig's @WithDefault can name them: each default is written here only.
    static final String DEFAULT_HOST = "127.0.0.1";
    static final String DEFAULT_PORT = "8090";
    static final String DEFAULT_CLIENT_ID = "courier-sim-client";
    static final String DEFAULT_CLIENT_SECRET = "courier-sim-secret";

    public static SimulatorOptions defaults() {
        return new SimulatorOptions(DEFAULT_HOST, Integer.parseInt(DEFAULT_PORT), DEFAULT_CLIENT_ID,
                DEFAULT_CLIENT_SECRET,
                Duration.ofDays(1), Duration.ofMinutes(10), Duration.ZERO);
    }

    public SimulatorOptions withPort(int newPort) {
        return new SimulatorOptions(host, newPort, clientId, clientSecret, quotaWindow, duplicateWindow, latency);
    }

    public SimulatorOptions withHost(String newHost) {
        return new SimulatorOptions(newHost, port, clientId, clientSecret, quotaWindow, duplicateWindow, latency);
    }

    public SimulatorOptions withClient(String id, String secret) {
        return new SimulatorOptions(host, port, id, secret, quotaWindow, duplicateWindow, latency);
    }
}
