package io.courier.platform;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Where a job puts its output records (result, dead letter, retry). The poll loop that ran the job makes them
 * visible in one Kafka transaction together with the job's offset, so an outcome is never written twice nor lost.
 * ("Outbox" means one thing in Courier: the auth_event table AccountEventRelay publishes.)
 */
@FunctionalInterface
public interface Outputs {
    void add(ProducerRecord<String, byte[]> record);
}
