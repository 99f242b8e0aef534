package io.courier.job;

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

/**
 * Creates the contract's topics that are missing, when allowed to, before the consumers subscribe. Not at start-up:
 * the poll loops call {@link #ensure()} as they start (and again after a failure), so a broker that is unreachable
 * while Courier starts delays the work instead of failing the start or leaving loops dead.
 */
@ApplicationScoped
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    private final TopicsConfig topics;
    private final Admin admin;
    private volatile boolean done;

    TopicInitializer(TopicsConfig topics, Admin admin) {
        this.topics = topics;
        this.admin = admin;
    }

    /** Creates what is missing, once per process; throws while Kafka does not answer (the caller tries again). */
    public synchronized void ensure() throws InterruptedException {
        if (done || !topics.createMissing()) {
            return;
        }
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put(topics.post(), topics.jobPartitions());
        wanted.put(topics.sync(), topics.jobPartitions());
        for (String topic : List.of(topics.deadLetter(), topics.results(), topics.authEvents())) {
            wanted.put(topic, topics.otherPartitions());
        }
        createMissing(admin, wanted, topics.replicationFactor());
        done = true;
    }

    /** Visible to the retry tiers, which add their own topics. */
    public static void createMissing(Admin admin, Map<String, Integer> wanted, short replication)
            throws InterruptedException {
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
                throw new IllegalStateException("could not create Courier's topics: " + e.getCause().getMessage(),
                        e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka did not answer within 30 s while checking topics (courier.kafka.bootstrap-servers)", e);
        }
    }
}
