package io.courier.worker;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs tasks of one key strictly in submission order and tasks of different keys concurrently, at most
 * {@code concurrency} at a time, on virtual threads. Kafka orders a partition, not an account: this is what
 * lets one partition serve many accounts in parallel while each account's jobs stay in order (the idea of
 * Confluent Parallel Consumer's key ordering, in about fifty lines).
 */
final class KeyOrderedExecutor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KeyOrderedExecutor.class);

    private final Map<String, ArrayDeque<Runnable>> queues = new HashMap<>();
    private final Semaphore permits;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("courier-job-", 0).factory());

    KeyOrderedExecutor(int concurrency) {
        this.permits = new Semaphore(concurrency, true);
    }

    void submit(String key, Runnable task) {
        synchronized (queues) {
            ArrayDeque<Runnable> queue = queues.get(key);
            if (queue != null) {
                queue.add(task);
                return;
            }
            queues.put(key, new ArrayDeque<>());
        }
        threads.execute(() -> drain(key, task));
    }

    /** One virtual thread per busy key runs that key's queue until it is empty. */
    private void drain(String key, Runnable first) {
        Runnable next = first;
        while (next != null) {
            permits.acquireUninterruptibly();
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "job task failed unexpectedly key=%s", key);
            } finally {
                permits.release();
            }
            synchronized (queues) {
                next = queues.get(key).poll();
                if (next == null) {
                    queues.remove(key);
                }
            }
        }
    }

    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
