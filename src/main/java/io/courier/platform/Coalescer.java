package io.courier.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Runs calls that many job threads make at about the same time as one batch: each caller's item waits in a queue,
 * one thread takes everything queued (at most {@code maxBatch}) and runs it in one round trip, and each caller gets
 * its own answer, or the batch's exception as it would have got its own. Nothing waits to fill a batch: a lone call
 * goes at once, and under load the items that arrive during one round trip form the next.
 *
 * <p>Ours, not Redisson's RBatch or JDBC batching: those still send one command per item and keep a future and a
 * timeout per command, and that per-item work is the cost measured (BENCHMARKS.md, issue #17).
 */
public final class Coalescer<I, O> implements AutoCloseable {

    private record Pending<I, O>(I item, CompletableFuture<O> answer) {}

    private final String name;
    private final int maxBatch;
    private final Function<List<I>, List<O>> batch;
    private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final Thread flusher;
    private volatile boolean closed;

    /** {@code batch} answers its items in their order, one answer each, or throws for all of them. */
    public Coalescer(String name, int maxBatch, Function<List<I>, List<O>> batch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.name = name;
        this.maxBatch = maxBatch;
        this.batch = batch;
        this.flusher = Thread.ofVirtual().name(name).start(this::flushUntilClosed);
    }

    /**
     * The item's answer, once its batch has run. What ends the wait: the flusher answers every item it takes (the
     * batch's round trip is bounded by its client's timeouts), and {@link #close} fails every item still queued.
     */
    public O call(I item) {
        Pending<I, O> pending = new Pending<>(item, new CompletableFuture<>());
        queue.add(pending);
        if (closed) {
            failQueued(); // closed while we queued: the flusher may be gone already
        }
        try {
            return pending.answer().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Fails what is still queued and stops the flusher; a batch in flight still answers its callers. */
    @Override
    public void close() {
        closed = true;
        flusher.interrupt();
        failQueued();
    }

    /** What ends it: close() (the interrupt ends the wait for the next item). */
    private void flushUntilClosed() {
        List<Pending<I, O>> taken = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(taken, maxBatch - 1);
            answer(taken);
            taken.clear();
        }
        failQueued();
    }

    private void answer(List<Pending<I, O>> taken) {
        try {
            List<O> answers = batch.apply(taken.stream().map(Pending::item).toList());
            if (answers.size() != taken.size()) {
                throw new IllegalStateException(
                        name + ": a batch of " + taken.size() + " items got " + answers.size() + " answers");
            }
            for (int i = 0; i < taken.size(); i++) {
                taken.get(i).answer().complete(answers.get(i));
            }
        } catch (Throwable failure) { // every caller of the batch gets it; the flusher goes on with the next batch
            taken.forEach(p -> p.answer().completeExceptionally(failure));
        }
    }

    private void failQueued() {
        for (Pending<I, O> p = queue.poll(); p != null; p = queue.poll()) {
            p.answer().completeExceptionally(new IllegalStateException(name + " is closed"));
        }
    }
}
