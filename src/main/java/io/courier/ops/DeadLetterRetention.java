package io.courier.ops;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Deletes handled dead letters past courier.dead-letters.retention, and says so; new ones are never evicted. */
@ApplicationScoped
class DeadLetterRetention {

    private static final Logger LOG = Logger.getLogger(DeadLetterRetention.class);

    private final DeadLetterStore store;
    private final DeadLetterConfig config;

    DeadLetterRetention(DeadLetterStore store, DeadLetterConfig config) {
        this.store = store;
        this.config = config;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void purge() {
        try {
            int deleted = store.purgeHandled(config.retention());
            if (deleted > 0) {
                LOG.infof("handled dead letters older than %s deleted count=%d", config.retention(), deleted);
            }
        } catch (RuntimeException e) {
            LOG.warnf("dead-letter retention skipped cause=%s", e.getMessage());
        }
    }
}
