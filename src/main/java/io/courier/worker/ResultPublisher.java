package io.courier.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.job.ResultEvent;
import io.courier.job.TopicsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import io.courier.platform.Outbox;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Turns result events into records for linkedin.jobs.results, keyed by account. */
@ApplicationScoped
class ResultPublisher {

    private final TopicsConfig topics;
    private final ObjectMapper json;

    ResultPublisher(TopicsConfig topics, ObjectMapper json) {
        this.topics = topics;
        this.json = json;
    }

    String toJson(ResultEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("result event of job " + event.jobId() + " is not serializable", e);
        }
    }

    void publish(Outbox outbox, String accountId, String resultJson) {
        outbox.add(new ProducerRecord<>(topics.results(), accountId, resultJson.getBytes(StandardCharsets.UTF_8)));
    }
}
