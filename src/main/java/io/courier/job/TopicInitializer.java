package io.courier.job;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/** Creates the contract's topics that are missing, before any consumer starts, when allowed to. */
@Startup
@ApplicationScoped
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    TopicInitializer(TopicsConfig topics, Admin admin) throws InterruptedException {
        if (!topics.createMissing()) {
            return;
        }
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put(topics.post(), topics.jobPartitions());
        wanted.put(topics.sync(), topics.jobPartitions());
        for (String topic : List.of(topics.deadLetter(), topics.results(), topics.authEvents())) {
            wanted.put(topic, topics.otherPartitions());
        }
        createMissing(admin, wanted, topics.replicationFactor());
    }

    /** Visible to the retry tiers, which add their own topics. */
    public static void createMissing(Admin admin, Map<String, Integer> wanted, short replication) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.entrySet().stream()
                    .filter(e -> !existing.contains(e.getKey()))
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), replication))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            LOG.infof("topics created names=%s", missing.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create Courier's topics: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 30 s while checking topics (courier.kafka.bootstrap-servers)", e);
        }
    }
}
