package io.courier.platform;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * Runs work under a Redisson lock shared by every pod: waits at most {@code wait} for it, holds it at most
 * {@code lease} (a dead pod's lock ends by itself), and unlocks only if this thread still holds it, because after
 * the lease ran out the lock may be another pod's. An interrupt while waiting counts as not getting the lock (the
 * interrupt flag is kept).
 */
public final class RedisLocks {

    private RedisLocks() {}

    /** The work's answer (never null), or empty when another holder kept the lock for longer than {@code wait}. */
    public static <T> Optional<T> underLock(RedissonClient redisson, String name, Duration wait, Duration lease,
            Supplier<T> work) {
        RLock lock = redisson.getLock(name);
        try {
            if (!lock.tryLock(wait.toMillis(), lease.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
            return Optional.of(work.get());
        } finally {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }
    }
}
