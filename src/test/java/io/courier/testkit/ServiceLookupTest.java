package io.courier.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.ServiceLookup.Source;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lookup's decisions, with the machine's answers given (not Docker's or the network's own behaviour). */
class ServiceLookupTest {

    /** A machine with these variables, Docker answering or not, and these ports listening; counts Docker's asks. */
    private static final class Given implements ServiceLookup.Machine {
        final Map<String, String> env;
        final boolean docker;
        final int listening;
        int dockerAsked;

        Given(Map<String, String> env, boolean docker, int listening) {
            this.env = env;
            this.docker = docker;
            this.listening = listening;
        }

        @Override
        public String env(String name) {
            return env.get(name);
        }

        @Override
        public boolean dockerAnswers() {
            dockerAsked++;
            return docker;
        }

        @Override
        public boolean listens(int port) {
            return port == listening;
        }
    }

    private static final ServiceLookup.Service PG = new ServiceLookup.Service("PostgreSQL", "DB_URL", 5432);

    @Test
    void theVariableWinsAndDockerIsNotAsked() {
        Given machine = new Given(Map.of("DB_URL", "jdbc:postgresql://db:5432/x"), true, 5432);
        assertThat(ServiceLookup.choose(PG, machine)).isEqualTo(Source.ENV);
        assertThat(machine.dockerAsked).isZero();
    }

    @Test
    void dockerComesBeforeTheMachinesOwnService() {
        assertThat(ServiceLookup.choose(PG, new Given(Map.of(), true, 5432))).isEqualTo(Source.CONTAINER);
    }

    @Test
    void withoutDockerARunningServiceIsUsed() {
        assertThat(ServiceLookup.choose(PG, new Given(Map.of(), false, 5432))).isEqualTo(Source.LOCAL);
    }

    @Test
    void nothingRunningOnTheUsualPortMeansEmbedded() {
        assertThat(ServiceLookup.choose(PG, new Given(Map.of(), false, 5433))).isEqualTo(Source.EMBEDDED);
    }

    @Test
    void kafkaIsNeverLookedForLocally() {
        assertThat(ServiceLookup.choose(ServiceLookup.KAFKA, new Given(Map.of(), false, 9092)))
                .isEqualTo(Source.EMBEDDED);
    }

    @Test
    void dockerIsAskedOnceForAllServices() {
        int[] asked = {0};
        ServiceLookup.Machine machine = ServiceLookup.thisMachine(() -> {
            asked[0]++;
            return false;
        });
        machine.dockerAnswers();
        machine.dockerAnswers();
        assertThat(asked[0]).isEqualTo(1);
    }

    @Test
    void aListeningPortIsSeenAndAClosedOneIsNot() throws Exception {
        int port;
        try (ServerSocket open = new ServerSocket(0)) {
            port = open.getLocalPort();
            assertThat(ServiceLookup.listens(port)).isTrue();
        }
        assertThat(ServiceLookup.listens(port)).isFalse();
    }
}
