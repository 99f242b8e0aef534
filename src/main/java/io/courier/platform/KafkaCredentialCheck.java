package io.courier.platform;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.jboss.logging.Logger;

/**
 * Asks Kafka once at start-up who Courier is: credentials or a TLS setup that Kafka refuses fail the start with a
 * message naming the settings to fix (a rolling update with a wrong Secret stops at its first pod). A broker that
 * does not answer does not fail the start: the consumers keep trying, as they do in any outage.
 */
@ApplicationScoped
public class KafkaCredentialCheck {

    private static final Logger LOG = Logger.getLogger(KafkaCredentialCheck.class);
    private static final int TIMEOUT_MS = 5_000;

    void checkAtStartup(@Observes @Priority(20) StartupEvent event, Admin admin, KafkaClients clients,
            KafkaConfig config) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes().get(TIMEOUT_MS + 1_000,
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Optional<String> refusal = refusal(e, clients.passThrough());
            if (refusal.isPresent()) {
                throw new ConfigurationException(refusal.get());
            }
            LOG.warnf(
                    "Kafka did not answer at start-up, the consumers keep trying bootstrap=%s securityProtocol=%s error=%s",
                    config.bootstrapServers(), clients.passThrough().securityProtocol(),
                    e.getCause().getClass().getSimpleName());
        } catch (TimeoutException e) {
            LOG.warnf("Kafka did not answer at start-up, the consumers keep trying bootstrap=%s securityProtocol=%s",
                    config.bootstrapServers(), clients.passThrough().securityProtocol());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What to fix when {@code failure} is Kafka refusing Courier's credentials or TLS; empty for anything else. */
    public static Optional<String> refusal(Throwable failure, KafkaClientProperties props) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SaslAuthenticationException) {
                return Optional.of("Kafka refused Courier's SASL credentials (mechanism=" + props.saslMechanism()
                        + props.saslUser().map(u -> " principal=User:" + u).orElse("")
                        + "): check courier.kafka.sasl.jaas.config (COURIER_KAFKA_SASL_JAAS_CONFIG) and the user on the brokers");
            }
            if (t instanceof SslAuthenticationException) {
                return Optional.of("the TLS handshake with Kafka failed (" + t.getMessage()
                        + "): check courier.kafka.ssl.truststore.* "
                        + "and, for mutual TLS, courier.kafka.ssl.keystore.*");
            }
            if (t instanceof AuthenticationException) {
                return Optional.of("Kafka refused Courier's credentials (" + t.getMessage()
                        + "): check courier.kafka.security.protocol="
                        + props.securityProtocol() + " and courier.kafka.sasl.*");
            }
        }
        return Optional.empty();
    }
}
