package io.courier.platform;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Moves rows of a PostgreSQL table to Kafka: selects a batch, sends it, waits until Kafka acknowledged every record,
 * then marks the rows (stamps or deletes them), all in one transaction. A crash between the sends and the commit
 * sends the batch again, never loses it, so readers must tolerate a repeat. One pod at a time per table: a PostgreSQL
 * advisory lock held for the batch's transaction (a dead pod's lock ends with its connection), so rows leave in the
 * order selected and a pod that does not get the lock leaves the rows to the one that has it.
 */
public final class RowRelay {

    private final EntityManager em;
    private final long advisoryLock;
    private final int batchSize;
    private final String what;

    /** {@code what} names the rows in errors ("account events"). */
    public RowRelay(EntityManager em, long advisoryLock, int batchSize, String what) {
        this.em = em;
        this.advisoryLock = advisoryLock;
        this.batchSize = batchSize;
        this.what = what;
    }

    /**
     * Relays batches, each in a transaction of its own, until one is short of a full batch (nothing more waits, or
     * another pod holds the lock). Throws, leaving the failed batch's rows unmarked, when Kafka did not take them.
     *
     * @param select up to the given number of waiting rows, in the order they must leave
     * @param send sends the rows' records and returns the sends to wait for
     * @param mark marks the rows once every send was acknowledged
     */
    public <R> void drain(IntFunction<List<R>> select, Function<List<R>, List<Future<RecordMetadata>>> send,
            Consumer<List<R>> mark) {
        while (QuarkusTransaction.requiringNew().call(() -> batch(select, send, mark)) == batchSize) {
            // a full batch: more may be waiting
        }
    }

    private <R> int batch(IntFunction<List<R>> select, Function<List<R>, List<Future<RecordMetadata>>> send,
            Consumer<List<R>> mark) {
        if (!(Boolean) em.createNativeQuery("select pg_try_advisory_xact_lock(?1)").setParameter(1, advisoryLock)
                .getSingleResult()) {
            return 0; // another pod is relaying; it sends these rows, in order
        }
        List<R> rows = select.apply(batchSize);
        if (rows.isEmpty()) {
            return 0;
        }
        for (Future<RecordMetadata> f : send.apply(rows)) {
            await(f);
        }
        mark.accept(rows);
        return rows.size();
    }

    /** Kafka's acknowledgement of one send; a refusal or an interrupt fails the batch. */
    private void await(Future<RecordMetadata> sent) {
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending " + what + " failed: " + e.getCause().getMessage(), e);
        }
    }
}
