package io.courier.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.job.ResultEvent;
import io.courier.job.TopicsConfig;
import io.courier.platform.Outputs;
import io.courier.platform.RecordLimit;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns result events into records for linkedin.jobs.results, keyed by account: one record when the event fits
 * courier.kafka.max-request-size, else its parts ({@link ResultParts}), all in the same outputs and so in the same
 * Kafka transaction: a read_committed consumer sees every part of a result or none.
 */
@ApplicationScoped
class ResultPublisher {

    private final TopicsConfig topics;
    private final ObjectMapper json;
    private final RecordLimit limit;
    private final ResultParts parts;

    ResultPublisher(TopicsConfig topics, ObjectMapper json, RecordLimit limit) {
        this.topics = topics;
        this.json = json;
        this.limit = limit;
        this.parts = new ResultParts(json);
    }

    String toJson(ResultEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("result event of job " + event.jobId() + " is not serializable", e);
        }
    }

    /** Publishes a result event as stored (job_outcome keeps it whole), split the same way every time it is sent. */
    void publish(Outputs outputs, String accountId, String resultJson) {
        ProducerRecord<String, byte[]> whole = record(accountId, resultJson.getBytes(StandardCharsets.UTF_8));
        if (limit.fits(whole)) {
            limit.add(outputs, whole);
            return;
        }
        for (byte[] part : parts.split(resultJson, limit.roomForValue(record(accountId, null)))) {
            limit.add(outputs, record(accountId, part));
        }
    }

    private ProducerRecord<String, byte[]> record(String accountId, byte[] value) {
        return new ProducerRecord<>(topics.results(), accountId, value);
    }
}
