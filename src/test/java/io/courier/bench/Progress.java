package io.courier.bench;

/**
 * Finished jobs of one measured leg against its clock: when 95 % were done (steady throughput: the first 95 % over
 * the time to reach them, so a last straggler does not decide it) and when the last one was.
 */
final class Progress {

    private final int jobs;
    private final int first95;
    private final long start;
    private volatile int done;
    private volatile long at95;
    private volatile long atLast;

    Progress(int jobs, long startNanos) {
        this.jobs = jobs;
        this.first95 = (int) Math.ceil(jobs * 0.95);
        this.start = startNanos;
    }

    /** {@code doneSoFar} of this leg's jobs are finished now. */
    synchronized void reached(int doneSoFar) {
        long now = System.nanoTime();
        done = Math.max(done, doneSoFar);
        if (at95 == 0 && done >= first95) {
            at95 = now;
        }
        if (atLast == 0 && done >= jobs) {
            atLast = now;
            notifyAll();
        }
    }

    int done() {
        return done;
    }

    boolean finished() {
        return atLast != 0;
    }

    /** Waits until every job is done; false when {@code timeoutMs} passed first. */
    synchronized boolean awaitLast(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (atLast == 0) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    double steadyPerSecond() {
        return first95 / ((at95 - start) / 1e9);
    }

    double allPerSecond() {
        return jobs / secondsToLast();
    }

    double secondsToLast() {
        return (atLast - start) / 1e9;
    }
}
