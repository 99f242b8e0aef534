package io.courier.platform;

/**
 * An output record Courier could not make small enough for Kafka (a result with nothing to split, a retry record
 * whose key or producer headers alone are too large). Not sent, so no transaction fails for it: the job's run
 * fails as an infrastructure failure instead, with the bounded budget such failures get.
 */
public final class OutputTooLargeException extends RuntimeException {

    public OutputTooLargeException(String topic, int bytes, int limit) {
        super("a record of " + bytes + " bytes for " + topic + " is over courier.kafka.max-request-size (" + limit
                + " bytes)");
    }

    public OutputTooLargeException(String message) {
        super(message);
    }
}
