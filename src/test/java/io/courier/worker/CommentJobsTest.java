package io.courier.worker;

import static io.courier.testkit.ConnectedAccounts.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * comment.create and sync.post-analytics (issue #19 points 3 and 6): a comment names its post or the post job it
 * follows; it waits for that job, fails with it, and treats LinkedIn's 404 right after a post's creation as "not
 * visible yet", never as a reason to touch the post.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class CommentJobsTest extends PipelineTestSupport {

    private static final String POSTS = "linkedin.jobs.post";

    @AfterEach
    void commentsVisibleAtOnce() {
        simulator.call("PUT", "/sim/comments", "{\"visibleAfterMillis\":0}");
    }

    private static String postJob(Connected account, String jobId, String text) {
        ObjectNode job = JSON.createObjectNode().put("jobId", jobId).put("type", "post.create")
                .put("accountId", account.accountId()).put("createdAt", Instant.now().toString());
        job.putObject("payload").put("author", account.memberUrn()).put("commentary", text);
        return job.toString();
    }

    private static String commentJob(Connected account, String jobId, String target, String value, String text) {
        ObjectNode job = JSON.createObjectNode().put("jobId", jobId).put("type", "comment.create")
                .put("accountId", account.accountId()).put("createdAt", Instant.now().toString());
        job.putObject("payload").put(target, value).put("text", text).put("actor", account.memberUrn());
        return job.toString();
    }

    private List<JsonNode> commentsOn(String postUrn) {
        return StreamSupport.stream(simulator.call("GET", "/sim/comments?post="
                + URLEncoder.encode(postUrn, StandardCharsets.UTF_8), null).spliterator(), false).toList();
    }

    private long postsOf(Connected account) {
        return StreamSupport.stream(simulator.call("GET", "/sim/posts?author=" + account.memberUrn(), null)
                .spliterator(), false).count();
    }

    @Test
    void aCommentPublishedWithItsPostLandsOnTheNewPostAfterItThroughLinkedInsNotFoundWindow() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.call("PUT", "/sim/comments", "{\"visibleAfterMillis\":3000}");
        String postJobId = UUID.randomUUID().toString();
        String commentJobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), commentJob(account, commentJobId, "postJobId", postJobId, "first!"));
        kafka.send(POSTS, account.accountId(), postJob(account, postJobId, "launch day"));

        JsonNode post = resultOf(postJobId);
        JsonNode comment = resultOf(commentJobId);
        assertThat(comment.get("status").asText()).isEqualTo("SUCCEEDED");
        String postUrn = post.get("data").get("postUrn").asText();
        assertThat(comment.get("data").get("post").asText()).isEqualTo(postUrn);
        assertThat(comment.get("data").get("commentUrn").asText()).startsWith("urn:li:comment:(");
        assertThat(Instant.parse(comment.get("finishedAt").asText()))
                .isAfterOrEqualTo(Instant.parse(post.get("finishedAt").asText()).plusSeconds(3));
        assertThat(comment.get("attempts").asInt()).as("404s while the post was not visible: retried")
                .isGreaterThan(1);
        List<JsonNode> comments = commentsOn(postUrn);
        assertThat(comments).hasSize(1);
        assertThat(comments.get(0).get("text").asText()).isEqualTo("first!");
        assertThat(postsOf(account)).as("the post was never touched again").isEqualTo(1);
    }

    @Test
    void aCommentOnAPostUrnAndAReplyToIt() throws Exception {
        Connected account = connect(simulator, "{}");
        String postJobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), postJob(account, postJobId, "a post"));
        String postUrn = resultOf(postJobId).get("data").get("postUrn").asText();
        String first = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), commentJob(account, first, "post", postUrn, "top"));
        String commentUrn = resultOf(first).get("data").get("commentUrn").asText();

        ObjectNode reply = (ObjectNode) JSON.readTree(commentJob(account, UUID.randomUUID().toString(), "post",
                postUrn, "reply"));
        ((ObjectNode) reply.get("payload")).put("parentComment", commentUrn);
        kafka.send(POSTS, account.accountId(), reply.toString());
        assertThat(resultOf(reply.get("jobId").asText()).get("status").asText()).isEqualTo("SUCCEEDED");
        List<JsonNode> comments = commentsOn(postUrn);
        assertThat(comments).extracting(c -> c.get("text").asText()).containsExactly("top", "reply");
        assertThat(comments.get(1).get("parentComment").asText()).isEqualTo(commentUrn);
    }

    @Test
    void aCommentWhosePostJobIsDeadLetteredIsDeadLetteredNamingIt() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":400,"times":1}""");
        String postJobId = UUID.randomUUID().toString();
        String commentJobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), postJob(account, postJobId, "refused"));
        kafka.send(POSTS, account.accountId(), commentJob(account, commentJobId, "postJobId", postJobId, "never"));

        assertThat(resultOf(postJobId).get("status").asText()).isEqualTo("DEAD_LETTERED");
        JsonNode comment = resultOf(commentJobId);
        assertThat(comment.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(comment.get("errorClass").asText()).isEqualTo("POST_JOB_FAILED");
        assertThat(comment.get("errorMessage").asText()).contains(postJobId).contains("BAD_REQUEST");
    }

    @Test
    void aCommentWhosePostJobWasCancelledIsDeadLetteredNamingIt() throws Exception {
        Connected account = connect(simulator, "{}");
        String postJobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), JSON.createObjectNode().put("type", "job.cancel")
                .put("accountId", account.accountId()).put("jobId", postJobId)
                .put("createdAt", Instant.now().toString()).toString());
        assertThat(resultOf(postJobId).get("status").asText()).isEqualTo("CANCELLED");
        String commentJobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), commentJob(account, commentJobId, "postJobId", postJobId, "never"));

        JsonNode comment = resultOf(commentJobId);
        assertThat(comment.get("errorClass").asText()).isEqualTo("POST_JOB_FAILED");
        assertThat(comment.get("errorMessage").asText()).contains(postJobId).contains("cancelled");
    }

    @Test
    void postAnalyticsReadsTheFiveMetricsOfThePostAJobPublished() throws Exception {
        Connected account = connect(simulator, """
                {"scopes":["openid","profile","email","w_member_social","r_member_postAnalytics"]}""");
        String postJobId = UUID.randomUUID().toString();
        kafka.send(POSTS, account.accountId(), postJob(account, postJobId, "measured"));
        String postUrn = resultOf(postJobId).get("data").get("postUrn").asText();
        kafka.send(POSTS, account.accountId(), commentJob(account, UUID.randomUUID().toString(), "post", postUrn,
                "one comment"));

        String analyticsJobId = UUID.randomUUID().toString();
        ObjectNode job = JSON.createObjectNode().put("jobId", analyticsJobId).put("type", "sync.post-analytics")
                .put("accountId", account.accountId()).put("createdAt", Instant.now().toString());
        job.putObject("payload").put("postJobId", postJobId);
        Thread.sleep(2000); // the comment first
        kafka.send("linkedin.jobs.sync", account.accountId(), job.toString());

        JsonNode result = resultOf(analyticsJobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode data = result.get("data");
        assertThat(data.get("post").asText()).isEqualTo(postUrn);
        assertThat(data.get("metrics").fieldNames()).toIterable().containsExactlyInAnyOrder("IMPRESSION",
                "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT");
        assertThat(data.get("metrics").get("COMMENT").asInt()).isEqualTo(1);
        assertThat(data.get("metrics").get("IMPRESSION").asInt()).isPositive();
    }
}
