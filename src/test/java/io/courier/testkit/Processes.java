package io.courier.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping a child process the tests started. */
public final class Processes {

    private Processes() {}

    /** SIGTERM, then SIGKILL once {@code grace} has passed; returns when it has exited (or 10 s after the kill). */
    public static void stop(Process p, Duration grace) {
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
