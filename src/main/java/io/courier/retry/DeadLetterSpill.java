package io.courier.retry;

import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Where a dead letter too large for Kafka keeps its whole record: a row of the ops dead-letter index, written before
 * the truncated copy is sent (the copy's courier-truncated header names the row, and the indexer links the two).
 * An interface here so that retry need not import ops (STYLE §1); ops.DeadLetterStore implements it.
 */
public interface DeadLetterSpill {

    /**
     * Stores the whole dead letter and returns its row id. The key is unique to the record being dead-lettered, so
     * running that record again (its transaction aborted) rewrites the same row instead of adding one.
     */
    long keep(String spillKey, ProducerRecord<String, byte[]> deadLetter, Instant deadAt);
}
