package io.courier.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.BooleanSupplier;

/**
 * Where each service the tests need comes from, in this order: its environment variable (DB_URL, REDIS_URL,
 * KAFKA_BOOTSTRAP_SERVERS), else Testcontainers when a Docker engine answers, else the machine's own service on its
 * usual port, else one the suite starts itself (embedded PostgreSQL and Redis, an in-JVM Kafka broker). The usual
 * ports are PG_PORT and REDIS_PORT (5432, 6379), so that a run can hide the machine's services by naming unused ones
 * (deploy/embedded-check.sh does, to exercise the embedded path on every CI run).
 */
public final class ServiceLookup {

    public enum Source {
        ENV, CONTAINER, LOCAL, EMBEDDED
    }

    /** A service: the variable that names it, and the local port asked before starting one (0: never asked). */
    public record Service(String name, String envVar, int localPort) {}

    /** What the lookup asks of the machine; its test gives its own answers. */
    public interface Machine {
        String env(String name);

        boolean dockerAnswers();

        boolean listens(int port);
    }

    public static final Service POSTGRES = new Service("PostgreSQL", "DB_URL", usualPort("PG_PORT", 5432));
    public static final Service REDIS = new Service("Redis", "REDIS_URL", usualPort("REDIS_PORT", 6379));
    /** A running Kafka broker is not looked for: the suite's own in-JVM broker is faster to start than to find. */
    public static final Service KAFKA = new Service("Kafka", "KAFKA_BOOTSTRAP_SERVERS", 0);

    private ServiceLookup() {}

    /** The source of one service; Docker is asked only when no variable names it. */
    public static Source choose(Service service, Machine machine) {
        if (machine.env(service.envVar()) != null) {
            return Source.ENV;
        }
        if (machine.dockerAnswers()) {
            return Source.CONTAINER;
        }
        if (service.localPort() > 0 && machine.listens(service.localPort())) {
            return Source.LOCAL;
        }
        return Source.EMBEDDED;
    }

    /** This machine: its environment, Docker asked once (it takes a while to say no), TCP on 127.0.0.1. */
    public static Machine thisMachine(BooleanSupplier dockerAnswers) {
        return new Machine() {
            private Boolean docker;

            @Override
            public String env(String name) {
                return ServiceLookup.env(name);
            }

            @Override
            public synchronized boolean dockerAnswers() {
                if (docker == null) {
                    docker = dockerAnswers.getAsBoolean();
                }
                return docker;
            }

            @Override
            public boolean listens(int port) {
                return ServiceLookup.listens(port);
            }
        };
    }

    /** Whether something accepts a TCP connection on 127.0.0.1:port within half a second. */
    public static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** An environment variable, null when unset or blank. */
    public static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
    }

    private static int usualPort(String variable, int usual) {
        String value = env(variable);
        try {
            return value == null ? usual : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " is not a port number: " + value, e);
        }
    }
}
