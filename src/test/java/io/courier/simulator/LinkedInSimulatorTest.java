package io.courier.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator answers as linkedin-api.md says LinkedIn does; driven over HTTP like any client. */
class LinkedInSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LinkedInSimulator sim;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() {
        sim = LinkedInSimulator.start(SimulatorOptions.defaults().withPort(0));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() throws Exception {
        call("POST", "/sim/reset", null, null, null);
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {}

    private Answer call(String method, String path, String body, String token, String version)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(Duration.ofSeconds(5))
                .method(method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (version != null) {
            b.header("LinkedIn-Version", version);
        }
        if (body != null) {
            b.header("Content-Type",
                    path.startsWith("/oauth") ? "application/x-www-form-urlencoded" : "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body()), r);
    }

    private JsonNode member(String body) throws Exception {
        return call("POST", "/sim/members", body, null, null).body();
    }

    private String version() {
        return java.time.YearMonth.now(java.time.ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMM"));
    }

    private Answer post(String token, String author, String commentary) throws Exception {
        return call("POST", "/rest/posts", """
                {"author":"%s","commentary":"%s"}""".formatted(author, commentary), token, version());
    }

    @Test
    void createsAPostAndAnswersARepeatWith422DuplicateNamingTheOriginal() throws Exception {
        JsonNode m = member("{}");
        Answer created = post(m.get("accessToken").asText(), m.get("memberUrn").asText(), "Hello");
        assertThat(created.status()).isEqualTo(201);
        String urn = created.raw().headers().firstValue("x-restli-id").orElseThrow();
        assertThat(urn).matches("urn:li:share:\\d{19}");
        assertThat(created.raw().headers().firstValue("x-li-uuid")).isPresent();

        Answer again = post(m.get("accessToken").asText(), m.get("memberUrn").asText(), "Hello");
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.body().at("/errorDetails/inputErrors/0/code").asText()).isEqualTo("DUPLICATE_POST");
        assertThat(again.body().get("message").asText()).endsWith("Content is a duplicate of " + urn);
    }

    @Test
    void answersEachTokenProblemWithLinkedInsBody() throws Exception {
        JsonNode m = member("{}");
        String token = m.get("accessToken").asText();
        assertThat(call("GET", "/v2/userinfo", null, null, null).body().get("message").asText())
                .isEqualTo("Empty oauth2_access_token");
        assertThat(call("GET", "/v2/userinfo", null, "nonsense", null).body().get("serviceErrorCode").asInt())
                .isEqualTo(65600);
        assertThat(call("GET", "/v2/userinfo", null, token, null).body().get("sub").asText())
                .isEqualTo(m.get("memberId").asText());

        call("POST", "/sim/clock", """
                {"advanceSeconds":%s}""".formatted(Duration.ofDays(61).toSeconds()), null, null);
        Answer expired = call("GET", "/v2/userinfo", null, token, null);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body().get("code").asText()).isEqualTo("EXPIRED_ACCESS_TOKEN");

        JsonNode other = member("{}");
        call("POST", "/sim/members/" + other.get("memberId").asText() + "/revoke", null, null, null);
        Answer revoked = call("GET", "/v2/userinfo", null, other.get("accessToken").asText(), null);
        assertThat(revoked.body().get("serviceErrorCode").asInt()).isEqualTo(65601);
        assertThat(revoked.body().get("code").asText()).isEqualTo("REVOKED_ACCESS_TOKEN");
    }

    @Test
    void refreshReturnsTheSameRefreshTokenWithAShrinkingWindowAndDeadGrantsGetInvalidRequest() throws Exception {
        JsonNode m = member("{}");
        String form = "grant_type=refresh_token&client_id=courier-sim-client&client_secret=courier-sim-secret&refresh_token="
                + m.get("refreshToken").asText();
        call("POST", "/sim/clock", """
                {"advanceSeconds":86400}""", null, null);
        Answer refreshed = call("POST", "/oauth/v2/accessToken", form, null, null);
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(refreshed.body().get("refresh_token").asText()).isEqualTo(m.get("refreshToken").asText());
        assertThat(refreshed.body().get("refresh_token_expires_in").asLong())
                .isLessThanOrEqualTo(Duration.ofDays(364).toSeconds());
        assertThat(refreshed.body().get("access_token").asText()).isNotEqualTo(m.get("accessToken").asText());
        assertThat(refreshed.body().get("expires_in").asLong()).isEqualTo(5_184_000L);

        call("POST", "/sim/members/" + m.get("memberId").asText() + "/revoke", null, null, null);
        Answer dead = call("POST", "/oauth/v2/accessToken", form, null, null);
        assertThat(dead.status()).isEqualTo(400);
        assertThat(dead.body().get("error").asText()).isEqualTo("invalid_request");
        assertThat(dead.body().get("error_description").asText()).contains("invalid, expired or revoked");

        Answer badSecret = call("POST", "/oauth/v2/accessToken", form.replace("courier-sim-secret", "wrong"), null,
                null);
        assertThat(badSecret.status()).isEqualTo(401);
        assertThat(badSecret.body().get("error").asText()).isEqualTo("invalid_client_id");
        Answer missing = call("POST", "/oauth/v2/accessToken",
                "grant_type=refresh_token&client_id=courier-sim-client&client_secret=courier-sim-secret", null, null);
        assertThat(missing.body().get("error_description").asText())
                .isEqualTo("A required parameter \"refresh_token\" is missing");
    }

    @Test
    void refusesAMissingOrInactiveVersionOnRestCalls() throws Exception {
        JsonNode m = member("{}");
        String url = "/rest/posts?q=author&author=" + java.net.URLEncoder.encode(m.get("memberUrn").asText(), "UTF-8");
        Answer missing = call("GET", url, null, m.get("accessToken").asText(), null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("code").asText()).isEqualTo("VERSION_MISSING");
        Answer old = call("GET", url, null, m.get("accessToken").asText(), "202401");
        assertThat(old.status()).isEqualTo(426);
        assertThat(old.body().get("message").asText()).as("LinkedIn's 8-digit form (linkedin-api.md §3)")
                .isEqualTo("Requested version 20240101 is not active");

        String current = java.time.YearMonth.now(java.time.ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMM"));
        assertThat(call("GET", url, null, m.get("accessToken").asText(), current).status()).isEqualTo(200);
        call("PUT", "/sim/versions", "{\"inactive\":[\"" + current + "\"]}", null, null);
        assertThat(call("GET", url, null, m.get("accessToken").asText(), current).status())
                .as("made inactive at runtime, as at a sunset").isEqualTo(426);
        call("PUT", "/sim/versions", "{\"inactive\":[]}", null, null);
        assertThat(call("GET", url, null, m.get("accessToken").asText(), current).status()).isEqualTo(200);
    }

    @Test
    void countsMemberDailyQuotaAndResetsItAtTheWindowEnd() throws Exception {
        call("PUT", "/sim/quotas", """
                {"windowSeconds":86400,"resources":{"posts.create":{"app":100,"member":2}}}""", null, null);
        JsonNode m = member("{}");
        String token = m.get("accessToken").asText();
        String author = m.get("memberUrn").asText();
        assertThat(post(token, author, "one").status()).isEqualTo(201);
        assertThat(post(token, author, "two").status()).isEqualTo(201);
        Answer third = post(token, author, "three");
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.body().get("message").asText()).contains("APPLICATION_AND_MEMBER DAY limit");

        Instant now = Instant.parse(call("GET", "/sim/clock", null, null, null).body().get("now").asText());
        long toMidnight = Duration
                .between(now, now.truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(Duration.ofDays(1))).toSeconds();
        call("POST", "/sim/clock", """
                {"advanceSeconds":%s}""".formatted((toMidnight + 1)), null, null);
        assertThat(post(token, author, "after midnight UTC").status()).isEqualTo(201);
    }

    @Test
    void appliesInjectedFaultsThenAnswersNormally() throws Exception {
        JsonNode m = member("{}");
        call("POST", "/sim/faults", """
                {"method":"GET","path":"/v2/userinfo","status":429,"headers":{"Retry-After":"3"},"times":1}""", null,
                null);
        call("POST", "/sim/faults", """
                {"path":"/v2/userinfo","status":503,"times":1}""", null, null);
        // A POST: the JDK client silently retries an idempotent GET once after a dropped connection.
        call("POST", "/sim/faults", """
                {"path":"/rest/posts","mode":"reset","times":1}""", null, null);
        String token = m.get("accessToken").asText();

        Answer throttled = call("GET", "/v2/userinfo", null, token, null);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.raw().headers().firstValue("Retry-After")).contains("3");
        assertThat(call("GET", "/v2/userinfo", null, token, null).status()).isEqualTo(503);
        assertThatThrownBy(() -> post(token, m.get("memberUrn").asText(), "dropped")).isInstanceOf(IOException.class);
        assertThat(call("GET", "/v2/userinfo", null, token, null).status()).isEqualTo(200);

        call("POST", "/sim/faults", """
                {"path":"/v2/userinfo","mode":"hang","latencyMs":3000,"times":1}""", null, null);
        HttpRequest hanging = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v2/userinfo"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofMillis(500)).build();
        assertThatThrownBy(() -> http.send(hanging, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
    }

    @Test
    void aStalledAnswerSendsItsHeadersThenNeverFinishesItsBodyAndTheEndpointStillDidItsWork() throws Exception {
        JsonNode m = member("{}");
        call("POST", "/sim/faults", """
                {"method":"POST","path":"/rest/posts","mode":"stall","latencyMs":10000,"times":1}""", null, null);
        HttpRequest create = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/rest/posts"))
                .header("Authorization", "Bearer " + m.get("accessToken").asText())
                .header("LinkedIn-Version", version())
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"author":"%s","commentary":"stalled"}""".formatted(m.get("memberUrn").asText()))).build();

        HttpResponse<java.io.InputStream> stalled = http.send(create, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stalled.statusCode()).isEqualTo(201);
        String urn = stalled.headers().firstValue("x-restli-id").orElseThrow();
        assertThat(stalled.headers().firstValueAsLong("Content-Length")).hasValue(1L);
        var body = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.io.InputStream in = stalled.body()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThatThrownBy(() -> body.get(1, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        body.cancel(true);
        // LinkedIn created the post before its answer got stuck: a retry is a duplicate of it.
        assertThat(call("GET", "/sim/posts?author=" + java.net.URLEncoder.encode(m.get("memberUrn").asText(), "UTF-8"),
                null, null, null).body()).hasSize(1);
        Answer again = post(m.get("accessToken").asText(), m.get("memberUrn").asText(), "stalled");
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.body().get("message").asText()).endsWith("Content is a duplicate of " + urn);
    }

    @Test
    void aLongErrorBodyIsAnHtmlPageOfTheGivenSize() throws Exception {
        call("POST", "/sim/faults", """
                {"path":"/v2/userinfo","status":503,"bodyBytes":5242880,"times":1}""", null, null);
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v2/userinfo")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/html");
        assertThat(r.body()).hasSize(5_242_880);
        String page = new String(r.body(), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(page).startsWith("<!DOCTYPE html><html><head><title>503 Service Unavailable</title>")
                .endsWith("</html>\n");
    }

    @Test
    void aTokenEndpointOutageForOneRefreshTokenLeavesOtherAccountsRefreshing() throws Exception {
        JsonNode down = member("{}");
        JsonNode up = member("{}");
        call("POST", "/sim/faults", """
                {"method":"POST","path":"/oauth/v2/accessToken","status":503,"times":-1,\
                "refreshToken":"%s"}""".formatted(down.get("refreshToken").asText()), null, null);
        String form = "grant_type=refresh_token&client_id=courier-sim-client&client_secret=courier-sim-secret&refresh_token=";

        assertThat(call("POST", "/oauth/v2/accessToken", form + down.get("refreshToken").asText(), null, null).status())
                .isEqualTo(503);
        assertThat(call("POST", "/oauth/v2/accessToken", form + up.get("refreshToken").asText(), null, null).status())
                .isEqualTo(200);
        assertThat(call("POST", "/oauth/v2/accessToken", form + down.get("refreshToken").asText(), null, null).status())
                .as("until cleared").isEqualTo(503);
        call("DELETE", "/sim/faults", null, null, null);
        assertThat(call("POST", "/oauth/v2/accessToken", form + down.get("refreshToken").asText(), null, null).status())
                .isEqualTo(200);
    }

    @Test
    void logsRequestsWithoutTheirTokens() throws Exception {
        JsonNode m = member("{}");
        call("GET", "/v2/userinfo", null, m.get("accessToken").asText(), null);
        String log = call("GET", "/sim/requests?limit=10", null, null, null).body().toString();
        assertThat(log).contains("/v2/userinfo").contains("\"authorization\":\"present\"")
                .doesNotContain(m.get("accessToken").asText());
    }

    @Test
    void authorizationRedirectsWithACodeThatWorksOnceOrWithAQueuedError() throws Exception {
        String authorize = "/oauth/v2/authorization?response_type=code&client_id=courier-sim-client&state=s1"
                + "&scope=openid%20w_member_social&redirect_uri="
                + java.net.URLEncoder.encode("http://localhost:8080/oauth/callback", "UTF-8");
        Answer redirect = call("GET", authorize, null, null, null);
        assertThat(redirect.status()).isEqualTo(302);
        String location = redirect.raw().headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("http://localhost:8080/oauth/callback?code=").endsWith("&state=s1");
        String code = location.substring(location.indexOf("code=") + 5, location.indexOf("&state"));
        String form = "grant_type=authorization_code&client_id=courier-sim-client&client_secret=courier-sim-secret"
                + "&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Foauth%2Fcallback&code=" + code;
        assertThat(call("POST", "/oauth/v2/accessToken", form, null, null).body().has("access_token")).isTrue();
        Answer reused = call("POST", "/oauth/v2/accessToken", form, null, null);
        assertThat(reused.status()).isEqualTo(401);
        assertThat(reused.body().get("error_description").asText()).contains("authorization code not found");

        call("POST", "/sim/authorization/next", """
                {"error":"user_cancelled_login"}""", null, null);
        String cancelled = call("GET", authorize, null, null, null).raw().headers().firstValue("Location")
                .orElseThrow();
        assertThat(cancelled).contains("error=user_cancelled_login").contains("state=s1");
    }
}
