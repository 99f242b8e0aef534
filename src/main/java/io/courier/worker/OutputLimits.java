package io.courier.worker;

import io.courier.platform.RecordLimit;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Refuses to start when a job Courier accepts could not wait in a retry tier: a tier record is the job's original
 * bytes plus Courier's headers and cannot be cut, so courier.worker.max-record-bytes must leave
 * {@link RecordLimit#COURIER_HEADER_ROOM} under courier.kafka.max-request-size. (Results are split and dead letters
 * truncated, so only retries need this; RecordLimit still guards every record at run time.)
 */
@Startup
@ApplicationScoped
class OutputLimits {

    OutputLimits(WorkerConfig worker, RecordLimit limit) {
        check(worker.maxRecordBytes(), limit.maxBytes());
    }

    static void check(int maxRecordBytes, int maxRequestSize) {
        if (maxRecordBytes > maxRequestSize - RecordLimit.COURIER_HEADER_ROOM) {
            throw new IllegalStateException("courier.worker.max-record-bytes (" + maxRecordBytes + ") must be at most "
                    + "courier.kafka.max-request-size (" + maxRequestSize + ") minus " + RecordLimit.COURIER_HEADER_ROOM
                    + " bytes for the headers Courier adds to retry records and dead letters");
        }
    }
}
