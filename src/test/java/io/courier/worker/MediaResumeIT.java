package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.testkit.CourierJar;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.MediaFiles;
import io.courier.testkit.SimulatorControl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL in the middle of a video's upload, then restart (issue #18): the new process continues from what the
 * first recorded: no part whose ETag was stored is sent again, one video, one finalize, one post.
 */
class MediaResumeIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aWorkerKilledMidVideoResumesWithoutResendingAStoredPart() throws Exception {
        Map<String, String> services = CourierServices.coordinates();
        SimulatorControl simulator = new SimulatorControl(services.get("courier.linkedin.api-base-url"));
        int port = CourierJar.freePort();
        Map<String, String> env = new java.util.HashMap<>(CourierJar.env(services, port, "media-kill-"
                + UUID.randomUUID()));
        env.put("COURIER_MEDIA_ALLOWED_HOSTS", "127.0.0.1");
        env.put("COURIER_MEDIA_SCHEMES", "https,http");
        Path log = Path.of("target/media-resume-courier.log");
        Process first = CourierJar.start(env, port, log);
        Process second = null;
        simulator.call("PUT", "/sim/media", """
                {"putDelayMs":1500}""");
        try (KafkaTestClient kafka = new KafkaTestClient(services.get("courier.kafka.bootstrap-servers"))) {
            JsonNode member = simulator.newMember("{}");
            String accountId = "acct-" + UUID.randomUUID();
            CourierJar.importTokens(port, accountId, member);
            String clip = simulator.putFile("resume-" + UUID.randomUUID() + ".mp4", MediaFiles.mp4(10_000_000),
                    "video/mp4");
            String jobId = UUID.randomUUID().toString();
            kafka.send("linkedin.jobs.post", accountId, """
                    {"jobId":"%s","type":"post.create","accountId":"%s","createdAt":"2026-11-24T10:00:00Z",
                     "payload":{"author":"%s","commentary":"resumed %s",
                                "media":[{"url":"%s","kind":"video","title":"A clip"}]}}""".formatted(jobId,
                    accountId, member.get("memberUrn").asText(), jobId, clip));

            List<Boolean> stored = awaitStoredParts(services, accountId, jobId, 1, Duration.ofSeconds(60));
            first.destroyForcibly().waitFor(); // SIGKILL: the upload stops between two parts, or inside one
            assertThat(stored).as("killed in the middle: some part not up yet").contains(false);
            simulator.call("PUT", "/sim/media", "{}");
            second = CourierJar.start(env, port, log);

            JsonNode result = JSON.readTree(KafkaTestClient.text(kafka.await("linkedin.jobs.results",
                    r -> KafkaTestClient.text(r).contains(jobId), 1, Duration.ofMinutes(3)).get(0)));
            assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
            JsonNode video = mediaOf(simulator, member.get("memberUrn").asText());
            assertThat(video.get("parts").asInt()).isEqualTo(3);
            List<Integer> puts = new ArrayList<>();
            video.get("puts").forEach(n -> puts.add(n.asInt()));
            for (int part = 0; part < 3; part++) {
                if (stored.get(part)) {
                    assertThat(puts.get(part)).as("part %d, whose ETag was stored before the kill", part)
                            .isEqualTo(1);
                } else {
                    assertThat(puts.get(part)).as("part %d", part).isBetween(1, 2);
                }
            }
            assertThat(video.get("finalizes").asInt()).isEqualTo(1);
            assertThat(simulator.call("GET", "/sim/posts?author=" + member.get("memberUrn").asText(), null))
                    .hasSize(1);
        } finally {
            simulator.call("PUT", "/sim/media", "{}");
            first.destroyForcibly().waitFor();
            if (second != null) {
                second.destroy();
                second.waitFor();
            }
        }
    }

    /** The one medium the member has; fails if there are more (a second initializeUpload). */
    private static JsonNode mediaOf(SimulatorControl simulator, String memberUrn) {
        List<JsonNode> mine = new ArrayList<>();
        simulator.call("GET", "/sim/media", null).get("media").forEach(m -> {
            if (m.get("owner").asText().equals(memberUrn)) {
                mine.add(m);
            }
        });
        assertThat(mine).as("one video: not initialized twice").hasSize(1);
        return mine.get(0);
    }

    /** Waits until Courier recorded at least {@code atLeast} parts' ETags; answers which parts have one. */
    private static List<Boolean> awaitStoredParts(Map<String, String> services, String accountId, String jobId,
            int atLeast, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        try (Connection c = DriverManager.getConnection(services.get("quarkus.datasource.jdbc.url"),
                services.get("quarkus.datasource.username"), services.get("quarkus.datasource.password"))) {
            while (System.nanoTime() < deadline) { // ends at the deadline
                try (PreparedStatement s = c.prepareStatement(
                        "select parts from media_upload where account_id = ? and job_id = ?")) {
                    s.setString(1, accountId);
                    s.setString(2, jobId);
                    try (ResultSet row = s.executeQuery()) {
                        if (row.next()) {
                            List<Boolean> stored = new ArrayList<>();
                            JSON.readTree(row.getString(1)).forEach(p -> stored.add(p.hasNonNull("etag")));
                            if (stored.stream().filter(b -> b).count() >= atLeast) {
                                return stored;
                            }
                        }
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("Courier recorded no part's ETag within " + within);
    }
}
