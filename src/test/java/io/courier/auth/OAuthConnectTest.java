package io.courier.auth;

import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.AccountFixtures.status;
import static io.courier.testkit.AccountFixtures.types;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.testkit.Browser;
import io.courier.testkit.ConnectLinks;
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

/**
 * The OAuth connect flow against the simulator's /authorization and /accessToken, and every error page; who may
 * connect (links, browser, member, scopes) is ConnectLinkTest's.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OAuthConnectTest extends PipelineTestSupport {

    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @Inject
    TokenStore tokens;

    @Test
    void aMemberConnectsAndTheTokensAreStored() throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        Browser browser = new Browser();
        String callback = browser.throughLinkedIn(browser.open(ConnectLinks.mintUrl(accountId)));

        HttpResponse<String> page = browser.get(callback);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(JSON.readTree(page.body()).get("status").asText()).isEqualTo("connected");
        assertThat(status(accountId)).isEqualTo("CONNECTED");
        var view = tokens.account(accountId).orElseThrow();
        assertThat(view.status()).isEqualTo("CONNECTED");
        assertThat(view.memberUrn()).hasValueSatisfying(u -> assertThat(u).startsWith("urn:li:person:"));
        assertThat(view.hasRefreshToken()).isTrue();

        // The same answer again, even with the state's cookie: the state was single-use.
        Response replay = withStateCookie(callback);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.jsonPath().getString("error")).isEqualTo("unknown_state");
    }

    @Test
    void reconnectingResolvesAPendingReauthorization() throws Exception {
        Connected account = connect(simulator, "{}");
        tokens.markReauthRequired(account.accountId(), "test: grant revoked", Optional.empty());
        simulator.call("POST", "/sim/authorization/next", """
                {"memberId":"%s"}""".formatted(account.member().get("memberId").asText()));

        assertThat(new Browser().connect(ConnectLinks.mintUrl(account.accountId())).statusCode()).isEqualTo(200);
        assertThat(status(account.accountId())).isEqualTo("CONNECTED");
        await().atMost(WAIT)
                .until(() -> types(events(kafka, account.accountId())).contains("courier.account.reauth-resolved"));
        assertThat(types(events(kafka, account.accountId())))
                .containsExactly("courier.account.reauth-required", "courier.account.reauth-resolved");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "user_cancelled_login     | Sign-in cancelled                       | new connect link",
            "user_cancelled_authorize | Access not granted                      | choose Allow",
            "unauthorized_scope_error | The app may not ask for this permission | courier.oauth.scopes"})
    void linkedInRefusalsGetAPageSayingWhatToDo(String error, String title, String hint) throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        simulator.call("POST", "/sim/authorization/next", """
                {"error":"%s"}""".formatted(error));

        HttpResponse<String> response = new Browser().connect(ConnectLinks.mintUrl(accountId));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode page = JSON.readTree(response.body());
        assertThat(page.get("error").asText()).isEqualTo(error);
        assertThat(page.get("title").asText()).isEqualTo(title);
        assertThat(page.get("message").asText()).contains(hint);
        assertThat(tokens.account(accountId).orElseThrow().status()).isEqualTo("REAUTH_REQUIRED"); // minted, never
                                                                                                   // connected
        assertThat(tokens.account(accountId).orElseThrow().accessTokenExpiresAt()).isEmpty();
    }

    @Test
    void aBrowserGetsHtml() {
        simulator.call("POST", "/sim/authorization/next", """
                {"error":"user_cancelled_login"}""");
        HttpResponse<String> page = new Browser().accepting("text/html")
                .connect(ConnectLinks.mintUrl("acct-" + UUID.randomUUID()));
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("<h1 class=\"error\">Sign-in cancelled</h1>").contains("start again");
    }

    @Test
    void missingAndUnknownStatesAreRefused() {
        Response missing = given().accept("application/json").get("/oauth/callback?code=abc");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.jsonPath().getString("error")).isEqualTo("missing_state");
        Response unknown = withStateCookie("/oauth/callback?code=abc&state=never-issued");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.jsonPath().getString("error")).isEqualTo("unknown_state");
        Response noLink = given().accept("application/json").redirects().follow(false).get("/oauth/connect");
        assertThat(noLink.statusCode()).isEqualTo(403);
        assertThat(noLink.jsonPath().getString("error")).isEqualTo("link_required");
    }

    @Test
    void aUsedCodeIsRefusedWithAWayForward() throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        Browser browser = new Browser();
        String callback = browser.throughLinkedIn(browser.open(ConnectLinks.mintUrl(accountId)));
        assertThat(browser.get(callback).statusCode()).isEqualTo(200);
        String code = query(callback, "code");

        String freshState = query(browser.open(ConnectLinks.mintUrl(accountId)), "state");
        HttpResponse<String> page = browser
                .get(ConnectLinks.courier() + "/oauth/callback?code=" + code + "&state=" + freshState);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(page.body()).get("error").asText()).isEqualTo("code_rejected");
        assertThat(JSON.readTree(page.body()).get("message").asText()).contains("expired or was already used");
    }

    @Test
    void aCodeIssuedForAnotherRedirectUriNamesTheSetting() throws Exception {
        // A code LinkedIn issued for another redirect URI (a second environment sharing the app, say).
        String elsewhere = "http://localhost:1/other/callback";
        String location = browse(
                simulatorUrl + "/oauth/v2/authorization?response_type=code&client_id=courier-sim-client"
                        + "&redirect_uri=" + elsewhere + "&state=x&scope=openid");
        String code = query(location, "code");

        Browser browser = new Browser();
        String state = query(browser.open(ConnectLinks.mintUrl("acct-" + UUID.randomUUID())), "state");
        HttpResponse<String> page = browser
                .get(ConnectLinks.courier() + "/oauth/callback?code=" + code + "&state=" + state);
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(page.body()).get("error").asText()).isEqualTo("code_rejected");
        assertThat(JSON.readTree(page.body()).get("message").asText()).contains("courier.oauth.redirect-uri");
    }

    /**
     * A callback request carrying the cookie that belongs to its state, as if copied from the browser that started it.
     */
    private static Response withStateCookie(String callbackUrl) {
        String state = query(callbackUrl, "state");
        return given().accept("application/json").cookie(OAuthResource.STATE_COOKIE, OAuthStates.hash(state))
                .get(pathOf(callbackUrl));
    }

    private static String browse(String url) throws Exception {
        HttpResponse<String> r = BROWSER.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        return r.headers().firstValue("Location").orElseThrow();
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
