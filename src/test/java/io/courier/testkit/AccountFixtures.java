package io.courier.testkit;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.testkit.ConnectedAccounts.Connected;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Token and account-event helpers for the token lifecycle tests. */
public final class AccountFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AccountFixtures() {}

    /** Re-imports the member's current tokens with another access-token end (and optionally no refresh token). */
    public static void importTokens(String accountId, JsonNode member, Instant accessTokenExpiresAt,
            boolean withRefresh) {
        ObjectNode body = JSON.createObjectNode()
                .put("accessToken", member.get("accessToken").asText())
                .put("accessTokenExpiresAt", accessTokenExpiresAt.toString())
                .put("memberUrn", member.get("memberUrn").asText());
        if (withRefresh && member.hasNonNull("refreshToken")) {
            body.put("refreshToken", member.get("refreshToken").asText())
                    .put("refreshTokenExpiresAt", member.get("refreshTokenExpiresAt").asText());
        }
        given().auth().oauth2(ConnectedAccounts.ADMIN_TOKEN).contentType("application/json").body(body.toString())
                .put("/admin/accounts/{id}/tokens", accountId).then().statusCode(200);
    }

    /** The account's status as the admin API shows it. */
    public static String status(String accountId) {
        return given().auth().oauth2(ConnectedAccounts.ADMIN_TOKEN).get("/admin/accounts/{id}", accountId)
                .then().statusCode(200).extract().path("status");
    }

    /** Calls the simulator saw on a path for a member. */
    public static int calls(SimulatorControl simulator, Connected account, String method, String path) {
        int n = 0;
        for (JsonNode r : simulator.requests()) {
            if (r.get("path").asText().equals(path) && r.get("method").asText().equals(method)
                    && account.member().get("memberId").asText().equals(r.path("memberId").asText())) {
                n++;
            }
        }
        return n;
    }

    /** Every account event published for an account so far (CloudEvents JSON), waiting for quiet. */
    public static List<JsonNode> events(KafkaTestClient kafka, String accountId) {
        List<JsonNode> events = new ArrayList<>();
        kafka.readAll("linkedin.auth.events", java.time.Duration.ofSeconds(2)).forEach(r -> {
            if (accountId.equals(r.key())) {
                try {
                    events.add(JSON.readTree(KafkaTestClient.text(r)));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        return events;
    }

    /** The event types, in order. */
    public static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    /** Publishes posts for the member through the simulator's own POST /rest/posts, as LinkedIn would have them. */
    public static void createPosts(String simulatorUrl, String linkedInVersion, Connected member, int count,
            int commentaryChars) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String filler = "p".repeat(commentaryChars);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Integer>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = JSON.createObjectNode().put("author", member.memberUrn())
                        .put("commentary", i + " " + filler).put("visibility", "PUBLIC").toString();
                HttpRequest request = HttpRequest.newBuilder(URI.create(simulatorUrl + "/rest/posts"))
                        .header("Authorization", "Bearer " + member.member().get("accessToken").asText())
                        .header("LinkedIn-Version", linkedInVersion).header("X-Restli-Protocol-Version", "2.0.0")
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                sent.add(pool.submit(() -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> status : sent) {
                if (status.get() != 201) {
                    throw new IllegalStateException("the simulator refused a post: " + status.get());
                }
            }
        }
    }
}
