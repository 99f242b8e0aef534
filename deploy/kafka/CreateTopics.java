import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates the missing topics among "name:partitions" arguments in one JVM (kafka-topics.sh takes one JVM per
 * topic). Run as a single-file program: java -cp "kafka-libs/*" CreateTopics.java BOOTSTRAP name:partitions[:replicas]...
 */
public class CreateTopics {
    public static void main(String[] args) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", args[0]))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                String[] parts = args[i].split(":");
                if (!existing.contains(parts[0])) {
                    short replicas = parts.length > 2 ? Short.parseShort(parts[2]) : 1;
                    missing.add(new NewTopic(parts[0], Integer.parseInt(parts[1]), replicas));
                }
            }
            admin.createTopics(missing).all().get();
            System.out.println("created " + missing.size() + " topic(s), " + (args.length - 1 - missing.size()) + " already there");
        }
    }
}
