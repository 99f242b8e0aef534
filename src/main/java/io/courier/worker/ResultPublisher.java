package io.courier.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.job.ResultEvent;
import io.courier.job.TopicsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes result events to linkedin.jobs.results, keyed by account, and waits until the broker has them. */
@ApplicationScoped
class ResultPublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final TopicsConfig topics;
    private final ObjectMapper json;

    ResultPublisher(KafkaProducer<String, byte[]> producer, TopicsConfig topics, ObjectMapper json) {
        this.producer = producer;
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

    void publish(String accountId, String resultJson) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topics.results(), accountId,
                    resultJson.getBytes(StandardCharsets.UTF_8))).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish result to " + topics.results(), e.getCause());
        }
    }
}
