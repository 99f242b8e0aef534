package io.courier.testkit;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/** Connects a fresh simulator member to Courier through the admin API, as an operator would. */
public final class ConnectedAccounts {

    public static final String ADMIN_TOKEN = "test-admin-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConnectedAccounts() {}

    /** A connected account: Courier's id for it, the member's URN, and the simulator's answer (tokens). */
    public record Connected(String accountId, String memberUrn, JsonNode member) {}

    public static Connected connect(SimulatorControl simulator, String memberJson) {
        JsonNode member = simulator.newMember(memberJson);
        String accountId = "acct-" + UUID.randomUUID();
        ObjectNode body = JSON.createObjectNode()
                .put("accessToken", member.get("accessToken").asText())
                .put("accessTokenExpiresAt", member.get("accessTokenExpiresAt").asText())
                .put("memberUrn", member.get("memberUrn").asText());
        if (member.hasNonNull("refreshToken")) {
            body.put("refreshToken", member.get("refreshToken").asText())
                    .put("refreshTokenExpiresAt", member.get("refreshTokenExpiresAt").asText());
        }
        body.set("scopes", member.get("scopes"));
        given().auth().oauth2(ADMIN_TOKEN).contentType("application/json").body(body.toString())
                .put("/admin/accounts/{id}/tokens", accountId)
                .then().statusCode(200);
        return new Connected(accountId, member.get("memberUrn").asText(), member);
    }

    /**
     * {@code count} fresh accounts whose key Kafka's default partitioner puts on the same partition as {@code key}
     * (a job topic has {@code partitions} partitions), so their jobs share a partition with that account's.
     */
    public static java.util.List<Connected> onPartitionOf(SimulatorControl simulator, String key, int partitions,
            int count) {
        int wanted = partitionOf(key, partitions);
        java.util.List<Connected> out = new java.util.ArrayList<>();
        for (int tries = 0; out.size() < count && tries < 50 * partitions; tries++) { // 1 in `partitions` matches
            Connected c = connect(simulator, "{}");
            if (partitionOf(c.accountId(), partitions) == wanted) {
                out.add(c);
            }
        }
        if (out.size() < count) {
            throw new IllegalStateException("found only " + out.size() + " accounts on the partition of " + key);
        }
        return out;
    }

    private static int partitionOf(String key, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
    }

    public static String job(String type, String accountId, String payloadJson) {
        return job(UUID.randomUUID().toString(), type, accountId, payloadJson);
    }

    public static String job(String jobId, String type, String accountId, String payloadJson) {
        return """
                {"jobId":"%s","type":"%s","accountId":"%s","createdAt":"2026-11-24T10:00:00Z",\
                "payload":%s}""".formatted(jobId, type, accountId, payloadJson);
    }
}
