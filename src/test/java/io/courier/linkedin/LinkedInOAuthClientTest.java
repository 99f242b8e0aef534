package io.courier.linkedin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.simulator.LinkedInSimulator;
import io.courier.simulator.SimulatorOptions;
import io.courier.testkit.SimulatorControl;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The token client against the simulator's token endpoint when its answers stall, break or run long. */
class LinkedInOAuthClientTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(700);
    private static LinkedInSimulator sim;
    private static SimulatorControl control;
    private static LinkedInOAuthClient oauth;

    @BeforeAll
    static void start() {
        sim = LinkedInSimulator.start(SimulatorOptions.defaults().withPort(0));
        control = new SimulatorControl(sim.baseUrl());
        URI base = URI.create(sim.baseUrl());
        oauth = new LinkedInOAuthClient(new LinkedInClientTest.Config(base, base, "202610",
                Optional.of(SimulatorOptions.defaults().clientId()),
                Optional.of(SimulatorOptions.defaults().clientSecret()),
                Duration.ofSeconds(1), REQUEST_TIMEOUT, 3, 1 << 20), Clock.systemUTC(), new ObjectMapper());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @AfterEach
    void clearFaults() {
        control.clearFaults();
    }

    private static BearerToken refreshTokenOf(JsonNode member) {
        return new BearerToken(member.get("refreshToken").asText());
    }

    @Test
    void aRefreshWhoseAnswerStallsAfterItsHeadersEndsAsATimeoutWithinTheDeadline() {
        JsonNode stalled = control.newMember("{}");
        JsonNode other = control.newMember("{}");
        control.fault("""
                {"method":"POST","path":"/oauth/v2/accessToken","mode":"stall","sentBytes":20,"latencyMs":20000,\
                "times":-1,"refreshToken":"%s"}""".formatted(stalled.get("refreshToken").asText()));

        long start = System.nanoTime();
        assertThatThrownBy(() -> oauth.refresh(refreshTokenOf(stalled)))
                .isInstanceOfSatisfying(LinkedInUnreachableException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LinkedInUnreachableException.Kind.TIMEOUT);
                    assertThat(e.getMessage()).doesNotContain(stalled.get("refreshToken").asText());
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("request timeout 700 ms")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(oauth.refresh(refreshTokenOf(other)).accessToken()).as("another account's refresh").isNotBlank();
    }

    @Test
    void aConnectionResetIsAResetAndAClosedPortIsRefused() throws Exception {
        JsonNode member = control.newMember("{}");
        control.fault("""
                {"method":"POST","path":"/oauth/v2/accessToken","mode":"reset","times":1}""");
        assertThatThrownBy(() -> oauth.refresh(refreshTokenOf(member))).isInstanceOfSatisfying(
                LinkedInUnreachableException.class,
                e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(LinkedInUnreachableException.Kind.RESET));

        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
        LinkedInOAuthClient refused = new LinkedInOAuthClient(new LinkedInClientTest.Config(nowhere, nowhere, "202610",
                Optional.of("id"), Optional.of("secret"), Duration.ofSeconds(1), REQUEST_TIMEOUT, 3, 1 << 20),
                Clock.systemUTC(),
                new ObjectMapper());
        assertThatThrownBy(() -> refused.refresh(refreshTokenOf(member))).isInstanceOfSatisfying(
                LinkedInUnreachableException.class,
                e -> assertThat(e.kind()).isEqualTo(LinkedInUnreachableException.Kind.REFUSED));
    }

    @Test
    void aFiveMegabyteHtmlPageFromTheTokenEndpointIsTransientWithATruncatedTextOfTheBody() {
        JsonNode member = control.newMember("{}");
        control.fault("""
                {"method":"POST","path":"/oauth/v2/accessToken","status":503,"bodyBytes":5242880,"times":1}""");
        assertThatThrownBy(() -> oauth.refresh(refreshTokenOf(member))).isInstanceOfSatisfying(OAuthException.class,
                e -> {
                    assertThat(e.kind()).isEqualTo(OAuthException.Kind.TRANSIENT);
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("503 Service Unavailable").hasSizeLessThan(1_000);
                });
    }
}
