package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.courier.testkit.KafkaTestClient.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.MediaFiles;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Posts with images end to end (issue #18): Courier fetches and checks the media, uploads each image once, waits
 * for LinkedIn's processing through the retry tiers, and only then publishes; bad media never reaches LinkedIn.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class MediaPostTest extends PipelineTestSupport {

    private static final String POSTS = "linkedin.jobs.post";

    @AfterEach
    void ordinaryMedia() {
        simulator.call("PUT", "/sim/media", "{}");
        simulator.call("PUT", "/sim/duplicates", "{}");
    }

    @Test
    void aDuplicateShowingOtherMediaIsNotThisJobsPost() throws Exception {
        simulator.call("PUT", "/sim/duplicates", """
                {"byMedia":false}""");
        Connected account = connect(simulator, "{}");
        String commentary = "Same words, other picture " + UUID.randomUUID();
        String first = mediaPost(account, commentary, List.of(item(image("first", MediaFiles.png(20, 20)), "image")));
        kafka.send(POSTS, account.accountId(), first);
        assertThat(resultOf(JSON.readTree(first).get("jobId").asText()).get("status").asText())
                .isEqualTo("SUCCEEDED");

        String second = mediaPost(account, commentary,
                List.of(item(image("second", MediaFiles.png(30, 30)), "image")));
        String secondId = JSON.readTree(second).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), second);

        JsonNode result = resultOf(secondId);
        assertThat(result.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(result.get("errorClass").asText()).isEqualTo("DUPLICATE_BLOCKED");
        assertThat(result.get("errorMessage").asText()).contains("not this job's post");
        assertThat(postsOf(account)).hasSize(1);
    }

    private String mediaPost(Connected account, String commentary, List<JsonNode> media) {
        ObjectNode payload = JSON.createObjectNode().put("author", account.memberUrn()).put("commentary", commentary);
        ArrayNode list = payload.putArray("media");
        media.forEach(list::add);
        return job("post.create", account.accountId(), payload.toString());
    }

    private static JsonNode item(String url, String kind) {
        return JSON.createObjectNode().put("url", url).put("kind", kind).put("altText", "what it shows");
    }

    private String image(String name, byte[] bytes) {
        return simulator.putFile(name + "-" + UUID.randomUUID() + ".png", bytes, "image/png");
    }

    /** The media the simulator holds for this member (kind, status, parts, puts per part, finalizes). */
    private List<JsonNode> imagesOf(Connected account) {
        JsonNode media = simulator.call("GET", "/sim/media", null).get("media");
        List<JsonNode> mine = new ArrayList<>();
        media.forEach(i -> {
            if (i.get("owner").asText().equals(account.memberUrn())) {
                mine.add(i);
            }
        });
        return mine;
    }

    private List<JsonNode> postsOf(Connected account) {
        return StreamSupport.stream(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null)
                .spliterator(), false).toList();
    }

    private long callsBy(Connected account, String pathPrefix) {
        String member = account.member().get("memberId").asText();
        return StreamSupport.stream(simulator.requests().spliterator(), false)
                .filter(r -> member.equals(r.path("memberId").asText()) && r.get("path").asText().startsWith(
                        pathPrefix))
                .count();
    }

    @Test
    void aOneImagePostCarriesTheImageUploadedOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        String job = mediaPost(account, "One picture " + UUID.randomUUID(),
                List.of(item(image("one", MediaFiles.png(1200, 627)), "image")));
        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(JSON.readTree(job).get("jobId").asText());
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.at("/data/media")).hasSize(1);
        String imageUrn = result.at("/data/media/0").asText();
        assertThat(imageUrn).startsWith("urn:li:image:");
        List<JsonNode> posts = postsOf(account);
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).get("id").asText()).isEqualTo(result.at("/data/postUrn").asText());
        assertThat(posts.get(0).get("media")).extracting(JsonNode::asText).containsExactly(imageUrn);
        assertThat(imagesOf(account)).as("exactly one initializeUpload").hasSize(1);
        assertThat(imagesOf(account).get(0).get("status").asText()).isEqualTo("AVAILABLE");
        assertThat(callsBy(account, "/rest/images")).as("initializeUpload and one status check").isEqualTo(2);
    }

    @Test
    void aTenMegabyteVideoGoesUpInThreePartsInOrderAndIsFinalizedOnce() throws Exception {
        Connected account = connect(simulator, "{}");
        String clip = simulator.putFile("clip-" + UUID.randomUUID() + ".mp4", MediaFiles.mp4(10_000_000), "video/mp4");
        ObjectNode video = (ObjectNode) item(clip, "video");
        video.remove("altText");
        video.put("title", "Our launch");
        String job = mediaPost(account, "A video " + UUID.randomUUID(), List.of(video));
        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(JSON.readTree(job).get("jobId").asText());
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        String videoUrn = result.at("/data/media/0").asText();
        assertThat(videoUrn).startsWith("urn:li:video:");
        List<JsonNode> media = imagesOf(account);
        assertThat(media).hasSize(1);
        assertThat(media.get(0).get("parts").asInt()).isEqualTo(3);
        assertThat(media.get(0).get("puts")).as("each part sent once").extracting(JsonNode::asInt)
                .containsExactly(1, 1, 1);
        assertThat(media.get(0).get("finalizes").asInt()).isEqualTo(1);
        assertThat(postsOf(account)).hasSize(1);
        assertThat(postsOf(account).get(0).get("media")).extracting(JsonNode::asText).containsExactly(videoUrn);
    }

    @Test
    void aPdfIsADocumentPostWithItsTitle() throws Exception {
        Connected account = connect(simulator, "{}");
        String pdf = simulator.putFile("deck-" + UUID.randomUUID() + ".pdf", MediaFiles.pdf(), "application/pdf");
        ObjectNode document = JSON.createObjectNode().put("url", pdf).put("kind", "document").put("title", "Q4");
        String job = mediaPost(account, "Our deck " + UUID.randomUUID(), List.of(document));
        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(JSON.readTree(job).get("jobId").asText());
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.at("/data/media/0").asText()).startsWith("urn:li:document:");
        assertThat(postsOf(account)).hasSize(1);
    }

    @Test
    void aFiveImagePostIsAMultiImagePostInTheProducersOrder() throws Exception {
        Connected account = connect(simulator, "{}");
        List<JsonNode> media = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            media.add(item(image("five-" + i, MediaFiles.jpeg(100 + i, 100)), "image"));
        }
        String job = mediaPost(account, "Five pictures " + UUID.randomUUID(), media);
        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(JSON.readTree(job).get("jobId").asText());
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.at("/data/media")).hasSize(5);
        List<JsonNode> posts = postsOf(account);
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).get("media")).isEqualTo(result.at("/data/media"));
        assertThat(imagesOf(account)).hasSize(5);
    }

    @Test
    void imagesStillProcessingAreReCheckedThroughTheTiersWhileOtherJobsFlow() throws Exception {
        // Three minutes of LinkedIn's processing, in the simulator's time: re-checks see PROCESSING until the test
        // moves the simulator's clock past them (Courier's own clock, and its processing-timeout, are real time).
        simulator.call("PUT", "/sim/media", """
                {"processingMs":180000}""");
        Connected account = connect(simulator, "{}");
        Connected other = connect(simulator, "{}");
        String job = mediaPost(account, "Slow to process " + UUID.randomUUID(),
                List.of(item(image("slow", MediaFiles.png(300, 300)), "image")));
        String jobId = JSON.readTree(job).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), job);
        await().atMost(WAIT).until(() -> callsBy(account, "/rest/images/") >= 2);
        long sent = System.nanoTime();
        String text = job("post.create", other.accountId(), """
                {"author":"%s","commentary":"meanwhile %s"}""".formatted(other.memberUrn(), UUID.randomUUID()));
        kafka.send(POSTS, other.accountId(), text);
        assertThat(resultOf(JSON.readTree(text).get("jobId").asText()).get("status").asText())
                .isEqualTo("SUCCEEDED");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("the other account's job did not wait")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(postsOf(account)).as("nothing published while the image is PROCESSING").isEmpty();

        simulator.call("POST", "/sim/clock", """
                {"advanceSeconds":181}""");
        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("attempts").asInt()).as("re-checks are no attempts").isEqualTo(1);
        assertThat(imagesOf(account)).as("uploaded once").hasSize(1);
        assertThat(imagesOf(account).get(0).get("puts")).extracting(JsonNode::asInt).containsExactly(1);
        assertThat(kafka.await("linkedin.jobs.retry.1s", r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1,
                WAIT)).as("the waits went through the tiers").isNotEmpty();
        assertThat(postsOf(account)).hasSize(1);
    }

    @Test
    void anImageLinkedInCannotProcessIsADeadLetterAndNothingIsPublished() throws Exception {
        simulator.call("PUT", "/sim/media", """
                {"failNext":1}""");
        Connected account = connect(simulator, "{}");
        String job = mediaPost(account, "Broken " + UUID.randomUUID(),
                List.of(item(image("broken", MediaFiles.png(50, 50)), "image")));
        String jobId = JSON.readTree(job).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), job);

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(result.get("errorClass").asText()).isEqualTo("BAD_REQUEST");
        ConsumerRecord<String, byte[]> dead = kafka.await("linkedin.jobs.dlq",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).contains("PROCESSING_FAILED")
                .contains("payload.media[0]").contains("nothing was published");
        assertThat(postsOf(account)).isEmpty();
    }

    @Test
    void mediaNeverReadyEndsAfterTheProcessingTimeoutWithNothingPublished() throws Exception {
        simulator.call("PUT", "/sim/media", """
                {"processingMs":600000}""");
        Connected account = connect(simulator, "{}");
        String job = mediaPost(account, "Never ready " + UUID.randomUUID(),
                List.of(item(image("never", MediaFiles.png(50, 50)), "image")));
        String jobId = JSON.readTree(job).get("jobId").asText();
        kafka.send(POSTS, account.accountId(), job);

        ConsumerRecord<String, byte[]> dead = kafka.await("linkedin.jobs.dlq",
                r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, Duration.ofSeconds(90)).get(0);
        assertThat(header(dead, CourierHeaders.ERROR_CLASS)).isEqualTo("MEDIA_NOT_READY");
        assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).startsWith("media not ready after")
                .contains("courier.media.processing-timeout").contains("nothing published");
        assertThat(postsOf(account)).isEmpty();
        assertThat(imagesOf(account)).hasSize(1);
    }

    @Test
    void badMediaIsRefusedBeforeAnyLinkedInCall() throws Exception {
        Connected account = connect(simulator, "{}");
        String huge = image("huge", MediaFiles.png(8000, 5000));
        String animated = simulator.putFile("frames-" + UUID.randomUUID() + ".gif", MediaFiles.gif(300), "image/gif");
        String page = simulator.putFile("page-" + UUID.randomUUID() + ".png", MediaFiles.html(), "image/png");
        String elsewhere = image("elsewhere", MediaFiles.png(10, 10)).replace("127.0.0.1", "localhost");
        String video = simulator.putFile("clip-" + UUID.randomUUID() + ".mp4", MediaFiles.mp4(), "video/mp4");
        List<List<JsonNode>> cases = List.of(List.of(item(huge, "image")), List.of(item(animated, "image")),
                List.of(item(page, "image")), List.of(item(elsewhere, "image")),
                List.of(item(video, "video"), item(image("with", MediaFiles.png(10, 10)), "image")),
                List.of(item(image("not-a-clip", MediaFiles.png(10, 10)), "video")),
                List.of(item(simulator.putFile("d-" + UUID.randomUUID() + ".pdf", MediaFiles.pdf(), "application/pdf"),
                        "document")));
        List<String> expected = List.of("40,000,000 pixels, over courier.media.max-image-pixels",
                "GIF of 300 frames, over courier.media.max-gif-frames (250)", "the bytes are an HTML page",
                "host 'localhost' is not in courier.media.allowed-hosts",
                "/payload/media: must have at most 1 items but found 2", "the bytes are a PNG file, not an MP4 video",
                "/payload/media/0: required property 'title' not found");
        long callsBefore = callsBy(account, "/");
        List<String> jobIds = new ArrayList<>();
        for (List<JsonNode> media : cases) {
            String job = mediaPost(account, "Bad media " + UUID.randomUUID(), media);
            jobIds.add(JSON.readTree(job).get("jobId").asText());
            kafka.send(POSTS, account.accountId(), job);
        }
        for (int i = 0; i < cases.size(); i++) {
            String jobId = jobIds.get(i);
            ConsumerRecord<String, byte[]> dead = kafka.await("linkedin.jobs.dlq",
                    r -> jobId.equals(header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
            assertThat(header(dead, CourierHeaders.ERROR_CLASS)).as("case %d", i).isEqualTo("INVALID_JOB");
            assertThat(header(dead, CourierHeaders.ERROR_MESSAGE)).as("case %d", i).contains(expected.get(i));
        }
        assertThat(callsBy(account, "/")).as("no LinkedIn call with the account's token").isEqualTo(callsBefore);
        assertThat(imagesOf(account)).isEmpty();
    }
}
