package io.courier.worker;

import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.MediaFiles;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A member who lost a page's admin role (issue #18 point 4): the page's posts fail as PERMISSION_DENIED, one
 * courier.account.permission-lost event per episode names the organization, and the account keeps working for
 * the member's own posts.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class PermissionLostTest extends PipelineTestSupport {

    private static final String POSTS = "linkedin.jobs.post";

    private String orgPost(Connected account, String org, String mediaJson) {
        return job("post.create", account.accountId(), """
                {"author":"%s","commentary":"for the page %s"%s}""".formatted(org, UUID.randomUUID(), mediaJson));
    }

    private JsonNode run(Connected account, String job) throws Exception {
        kafka.send(POSTS, account.accountId(), job);
        return resultOf(JSON.readTree(job).get("jobId").asText());
    }

    private List<JsonNode> permissionLost(Connected account) {
        return events(kafka, account.accountId()).stream()
                .filter(e -> e.get("type").asText().equals("courier.account.permission-lost")).toList();
    }

    @Test
    void aLostAdminRoleFailsThePagesPostsWithOneEventPerEpisode() throws Exception {
        String org = "urn:li:organization:" + (System.nanoTime() % 1_000_000_000L);
        Connected account = connect(simulator, """
                {"adminOf":["%s"]}""".formatted(org));
        assertThat(run(account, orgPost(account, org, "")).get("status").asText()).isEqualTo("SUCCEEDED");

        String memberId = account.member().get("memberId").asText();
        simulator.call("PUT", "/sim/members/" + memberId + "/admin-of", """
                {"adminOf":[]}""");
        JsonNode refused = run(account, orgPost(account, org, ""));
        assertThat(refused.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(refused.get("errorClass").asText()).isEqualTo("PERMISSION_DENIED");
        String image = simulator.putFile("page-" + UUID.randomUUID() + ".png", MediaFiles.png(20, 20), "image/png");
        JsonNode withMedia = run(account, orgPost(account, org, """
                ,"media":[{"url":"%s","kind":"image"}]""".formatted(image)));
        assertThat(withMedia.get("errorClass").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(withMedia.get("errorMessage").asText()).contains("no approved posting role")
                .contains("nothing was uploaded");
        assertThat(simulator.call("GET", "/sim/media", null).get("media").toString()).doesNotContain(org);

        await().atMost(WAIT).until(() -> !permissionLost(account).isEmpty());
        assertThat(run(account, job("post.create", account.accountId(), """
                {"author":"%s","commentary":"my own %s"}""".formatted(account.memberUrn(), UUID.randomUUID())))
                .get("status").asText()).as("the account keeps working for its own posts").isEqualTo("SUCCEEDED");
        List<JsonNode> lost = permissionLost(account);
        assertThat(lost).as("one event for the episode, however many refusals").hasSize(1);
        assertThat(lost.get(0).at("/data/organization").asText()).isEqualTo(org);
        assertThat(lost.get(0).get("subject").asText()).isEqualTo(account.accountId());

        simulator.call("PUT", "/sim/members/" + memberId + "/admin-of", """
                {"adminOf":["%s"]}""".formatted(org));
        assertThat(run(account, orgPost(account, org, "")).get("status").asText()).isEqualTo("SUCCEEDED");
        simulator.call("PUT", "/sim/members/" + memberId + "/admin-of", """
                {"adminOf":[]}""");
        run(account, orgPost(account, org, ""));
        await().atMost(Duration.ofSeconds(40)).until(() -> permissionLost(account).size() == 2);
    }
}
