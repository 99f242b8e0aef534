package io.courier.auth;

import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.AccountFixtures.status;
import static io.courier.testkit.AccountFixtures.types;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OAuth connect flow against the simulator's /authorization and /accessToken, and every error page. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OAuthConnectTest extends PipelineTestSupport {

    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Inject
    TokenStore tokens;

    @Test
    void aMemberConnectsAndTheTokensAreStored() throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        String callback = throughLinkedIn(connectLink(accountId));

        Response page = json(callback);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.jsonPath().getString("status")).isEqualTo("connected");
        assertThat(status(accountId)).isEqualTo("CONNECTED");
        var view = tokens.account(accountId).orElseThrow();
        assertThat(view.status()).isEqualTo("CONNECTED");
        assertThat(view.memberUrn()).hasValueSatisfying(u -> assertThat(u).startsWith("urn:li:person:"));
        assertThat(view.hasRefreshToken()).isTrue();

        // The same answer again: the state was single-use.
        Response replay = json(callback);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.jsonPath().getString("error")).isEqualTo("unknown_state");
    }

    @Test
    void reconnectingResolvesAPendingReauthorization() throws Exception {
        Connected account = connect(simulator, "{}");
        tokens.markReauthRequired(account.accountId(), "test: grant revoked", Optional.empty());
        simulator.call("POST", "/sim/authorization/next", "{\"memberId\":\"" + account.member().get("memberId").asText() + "\"}");

        assertThat(json(throughLinkedIn(connectLink(account.accountId()))).statusCode()).isEqualTo(200);
        assertThat(status(account.accountId())).isEqualTo("CONNECTED");
        await().atMost(WAIT).until(() -> types(events(kafka, account.accountId())).contains("courier.account.reauth-resolved"));
        assertThat(types(events(kafka, account.accountId())))
                .containsExactly("courier.account.reauth-required", "courier.account.reauth-resolved");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "user_cancelled_login     | Sign-in cancelled                       | /oauth/connect?accountId=",
            "user_cancelled_authorize | Access not granted                      | choose Allow",
            "unauthorized_scope_error | The app may not ask for this permission | courier.oauth.scopes"})
    void linkedInRefusalsGetAPageSayingWhatToDo(String error, String title, String hint) throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        simulator.call("POST", "/sim/authorization/next", "{\"error\":\"" + error + "\"}");
        String callback = throughLinkedIn(connectLink(accountId));

        Response page = json(callback);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.jsonPath().getString("error")).isEqualTo(error);
        assertThat(page.jsonPath().getString("title")).isEqualTo(title);
        assertThat(page.jsonPath().getString("message")).contains(hint);
        assertThat(tokens.account(accountId)).isEmpty();
    }

    @Test
    void aBrowserGetsHtml() throws Exception {
        simulator.call("POST", "/sim/authorization/next", "{\"error\":\"user_cancelled_login\"}");
        String callback = throughLinkedIn(connectLink("acct-" + UUID.randomUUID()));
        Response page = given().accept("text/html").get(pathOf(callback));
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.asString()).contains("<h1 class=\"error\">Sign-in cancelled</h1>").contains("start again");
    }

    @Test
    void missingAndUnknownStatesAreRefused() {
        Response missing = given().accept("application/json").get("/oauth/callback?code=abc");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.jsonPath().getString("error")).isEqualTo("missing_state");
        Response unknown = given().accept("application/json").get("/oauth/callback?code=abc&state=never-issued");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.jsonPath().getString("error")).isEqualTo("unknown_state");
        Response noAccount = given().accept("application/json").redirects().follow(false).get("/oauth/connect");
        assertThat(noAccount.statusCode()).isEqualTo(400);
        assertThat(noAccount.jsonPath().getString("error")).isEqualTo("invalid_account_id");
    }

    @Test
    void aUsedCodeIsRefusedWithAWayForward() throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        String callback = throughLinkedIn(connectLink(accountId));
        assertThat(json(callback).statusCode()).isEqualTo(200);
        String code = query(callback, "code");

        String freshState = query(connectLink(accountId), "state");
        Response page = json("/oauth/callback?code=" + code + "&state=" + freshState);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.jsonPath().getString("error")).isEqualTo("code_rejected");
        assertThat(page.jsonPath().getString("message")).contains("expired or was already used");
    }

    @Test
    void aCodeIssuedForAnotherRedirectUriNamesTheSetting() throws Exception {
        // A code LinkedIn issued for another redirect URI (a second environment sharing the app, say).
        String elsewhere = "http://localhost:1/other/callback";
        String location = browse(simulatorUrl + "/oauth/v2/authorization?response_type=code&client_id=courier-sim-client"
                + "&redirect_uri=" + elsewhere + "&state=x&scope=openid");
        String code = query(location, "code");

        String state = query(connectLink("acct-" + UUID.randomUUID()), "state");
        Response page = json("/oauth/callback?code=" + code + "&state=" + state);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.jsonPath().getString("error")).isEqualTo("code_rejected");
        assertThat(page.jsonPath().getString("message")).contains("courier.oauth.redirect-uri");
    }

    /** GET /oauth/connect: the LinkedIn authorization URL it redirects to. */
    private static String connectLink(String accountId) {
        Response r = given().redirects().follow(false).get("/oauth/connect?accountId=" + accountId);
        assertThat(r.statusCode()).isEqualTo(303);
        String location = r.header("Location");
        assertThat(location).contains("/oauth/v2/authorization?response_type=code").contains("state=").contains("redirect_uri=");
        return location;
    }

    /** What the member's browser does at LinkedIn: the redirect back to Courier's callback. */
    private static String throughLinkedIn(String authorizationUrl) throws Exception {
        String back = browse(authorizationUrl);
        assertThat(back).contains("/oauth/callback?");
        return back;
    }

    private static String browse(String url) throws Exception {
        HttpResponse<String> r = BROWSER.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        return r.headers().firstValue("Location").orElseThrow();
    }

    private static Response json(String callbackUrl) {
        return given().accept("application/json").get(pathOf(callbackUrl));
    }

    private static String pathOf(String url) {
        URI uri = URI.create(url);
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static String query(String url, String name) {
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + url);
    }
}
