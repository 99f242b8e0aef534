package io.courier.platform;

/**
 * What a job's deepest calls need to know of the poll loop running it, without knowing the loop: whether the job
 * still gets somewhere (each answered LinkedIn call reports progress, so a sync reading page after page is not taken
 * for stuck), and whether it was cancelled (its partition is being handed over: no further LinkedIn call may start).
 * A thread-local, not a parameter, because the call sits four layers below the loop and none of them cares. The
 * cancel flag is explicit rather than the thread's interrupt status alone: a library along the way (a Redis or JDBC
 * call) may swallow an interrupt, and then the cancelled job would go on calling LinkedIn beside its next owner.
 */
public final class RunningJob {

    /** The loop's side: told of progress, asked whether the job was cancelled. */
    public interface Owner {
        void progressed();

        boolean cancelled();
    }

    private static final ThreadLocal<Owner> OWNER = new ThreadLocal<>();

    private RunningJob() {}

    /** Tells the current thread's loop, if any, that its job moved on. */
    public static void reportProgress() {
        Owner owner = OWNER.get();
        if (owner != null) {
            owner.progressed();
        }
    }

    /** True when the job on this thread was cancelled; false outside a job. */
    public static boolean cancelled() {
        Owner owner = OWNER.get();
        return owner != null && owner.cancelled();
    }

    /** Runs the task as a job of this owner on the current thread. */
    public static void runFor(Owner owner, Runnable task) {
        OWNER.set(owner);
        try {
            task.run();
        } finally {
            OWNER.remove();
        }
    }
}
