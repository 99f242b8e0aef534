package io.courier.bench;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.SimulatorControl;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What an image post costs against a text post (issue #18), in one run against the same simulator latency: legs of
 * text posts and of one-image posts alternate, each leg timed from publishing to the last result. Reports per job:
 * the LinkedIn calls (from the simulator's counts), the time from publish to the last result, and the machine's CPU
 * (this JVM holds Courier, the broker and the simulator, and PostgreSQL and Redis run beside it, so the CPU is theirs
 * together; the difference between the two kinds of leg is what the media path adds). Not a test: {@code deploy/bench};
 * writes target/bench/media-post.txt.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class MediaPostBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = Integer.getInteger("bench.mediaJobs", 300);
    private static final int ACCOUNTS = Integer.getInteger("bench.accounts", 100);
    private static final int LATENCY_MS = Integer.getInteger("bench.latencyMs", 100);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    @ConfigProperty(name = "courier.kafka.bootstrap-servers")
    String bootstrap;
    @ConfigProperty(name = "courier.linkedin.api-base-url")
    String simulatorUrl;

    private record Leg(double secondsPerLeg, double callsPerJob, double cpuMsPerJob) {}

    @Test
    void anImagePostAgainstATextPost() throws Exception {
        SimulatorControl simulator = new SimulatorControl(simulatorUrl);
        List<Connected> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(connect(simulator, "{}"));
        }
        byte[] photo = photo(1200, 627);
        String imageUrl = simulator.putFile("bench-" + UUID.randomUUID() + ".jpg", photo, "image/jpeg");
        simulator.call("PUT", "/sim/latency", """
                {"ms":%d}""".formatted(LATENCY_MS));
        StringBuilder report = new StringBuilder(String.format(
                "jobs per leg=%d accounts=%d LinkedIn latency=%d ms image=%dx%d JPEG of %d bytes rounds=%d%n", JOBS,
                ACCOUNTS, LATENCY_MS, 1200, 627, photo.length, ROUNDS));
        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            leg(kafka, simulator, accounts, null); // warm both paths
            leg(kafka, simulator, accounts, imageUrl);
            List<Leg> text = new ArrayList<>();
            List<Leg> image = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                Leg t = leg(kafka, simulator, accounts, null);
                Leg i = leg(kafka, simulator, accounts, imageUrl);
                text.add(t);
                image.add(i);
                report.append(String.format("round %d: text %.2f s, %.2f calls/job, %.2f ms CPU/job; image %.2f s,"
                        + " %.2f calls/job, %.2f ms CPU/job%n", round, t.secondsPerLeg(), t.callsPerJob(),
                        t.cpuMsPerJob(), i.secondsPerLeg(), i.callsPerJob(), i.cpuMsPerJob()));
            }
            Leg t = median(text);
            Leg i = median(image);
            report.append(String.format("median: image/text time %.2fx, LinkedIn calls per job %.2f vs %.2f,"
                    + " CPU per job %.2f vs %.2f ms (%.2fx)%n", i.secondsPerLeg() / t.secondsPerLeg(),
                    i.callsPerJob(), t.callsPerJob(), i.cpuMsPerJob(), t.cpuMsPerJob(),
                    i.cpuMsPerJob() / t.cpuMsPerJob()));
        } finally {
            simulator.call("PUT", "/sim/latency", """
                    {"ms":0}""");
        }
        System.out.println(report);
        Files.createDirectories(Path.of("target/bench"));
        Files.writeString(Path.of("target/bench/media-post.txt"), report);
    }

    /** One leg: JOBS posts (with the image when {@code imageUrl} is set) spread over the accounts. */
    private static Leg leg(KafkaTestClient kafka, SimulatorControl simulator, List<Connected> accounts,
            String imageUrl) throws Exception {
        String run = UUID.randomUUID().toString();
        long callsBefore = calls(simulator);
        long[] cpuBefore = ProcCpu.machineMs();
        long started = System.nanoTime();
        for (int n = 0; n < JOBS; n++) {
            Connected a = accounts.get(n % accounts.size());
            String media = imageUrl == null ? "" : """
                    ,"media":[{"url":"%s","kind":"image","altText":"a photo"}]""".formatted(imageUrl);
            kafka.sendAsync("linkedin.jobs.post", a.accountId(), job(run + "-" + n, "post.create", a.accountId(), """
                    {"author":"%s","commentary":"bench %s %d"%s}""".formatted(a.memberUrn(), run, n, media)));
        }
        kafka.flush();
        kafka.await("linkedin.jobs.results", r -> KafkaTestClient.text(r).contains(run), JOBS,
                Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] cpuAfter = ProcCpu.machineMs();
        return new Leg(seconds, (double) (calls(simulator) - callsBefore) / JOBS,
                (double) (cpuAfter[0] - cpuBefore[0]) / JOBS);
    }

    /** Every call the simulator answered, of any resource and status (uploads included). */
    private static long calls(SimulatorControl simulator) {
        long total = 0;
        for (JsonNode byStatus : simulator.stats().get("calls")) {
            for (JsonNode n : byStatus) {
                total += n.asLong();
            }
        }
        return total;
    }

    private static Leg median(List<Leg> legs) {
        List<Leg> sorted = new ArrayList<>(legs);
        sorted.sort((a, b) -> Double.compare(a.secondsPerLeg(), b.secondsPerLeg()));
        return sorted.get(sorted.size() / 2);
    }

    /** A photo-like JPEG: noise does not compress, as a real photo does not. */
    private static byte[] photo(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(42);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }
}
