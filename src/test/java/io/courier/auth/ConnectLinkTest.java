package io.courier.auth;

import static io.courier.testkit.AccountFixtures.events;
import static io.courier.testkit.AccountFixtures.types;
import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;

/**
 * Connect links, from the attacker's side first: nobody without a link the product made can start a connect, a
 * link works once and in the browser that opened it, and a grant is stored only if it is the account's own member
 * with every scope the account had (issue #15 points 1, 2 and 8).
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class ConnectLinkTest extends PipelineTestSupport {

    @Inject
    TokenStore tokens;
    @Inject
    RedissonClient redisson;

    @Test
    void aConnectWithoutALinkIsRefusedForAnExistingAccountAndWritesNothing() {
        Connected victim = connect(simulator, "{}");
        AccountView before = tokens.account(victim.accountId()).orElseThrow();
        Set<String> oauthKeys = oauthKeys();

        Response page = given().accept("application/json").redirects().follow(false)
                .get("/oauth/connect?accountId=" + victim.accountId());

        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.jsonPath().getString("error")).isEqualTo("link_required");
        assertThat(page.jsonPath().getString("message")).contains("POST /admin/accounts/{accountId}/connect-link");
        assertThat(oauthKeys()).isEqualTo(oauthKeys);
        assertThat(tokens.account(victim.accountId()).orElseThrow()).isEqualTo(before);
    }

    @Test
    void aConnectWithoutAValidLinkCreatesNoAccount() {
        Set<String> oauthKeys = oauthKeys();
        String stranger = "acct-" + UUID.randomUUID();
        String forged = ConnectLinks.sign(stranger, Instant.now().plusSeconds(300), false).replaceAll("sig=[^&]+",
                "sig=AAAA");
        String expired = ConnectLinks.sign(stranger, Instant.now().minusSeconds(1), false);
        String tooLong = ConnectLinks.sign(stranger, Instant.now().plus(Duration.ofDays(30)), false);

        for (String link : new String[] {"/oauth/connect?accountId=" + stranger, forged, expired, tooLong}) {
            HttpResponse<String> page = new Browser().get(link.startsWith("/") ? ConnectLinks.courier() + link : link);
            assertThat(page.statusCode()).as(link).isEqualTo(403);
            assertThat(page.headers().firstValue("Set-Cookie")).as(link).isEmpty();
        }
        assertThat(tokens.account(stranger)).isEmpty();
        assertThat(oauthKeys()).isEqualTo(oauthKeys);
    }

    @Test
    void aLinkSignedInByAnotherMemberIsRefusedAndTheAccountKeepsPostingAsItsMember() throws Exception {
        Connected victim = connect(simulator, "{}");
        AccountView before = tokens.account(victim.accountId()).orElseThrow();
        JsonNode stranger = simulator.newMember("{}");
        signInNextAs(stranger.get("memberId").asText(), null);

        HttpResponse<String> page = new Browser().connect(ConnectLinks.mintUrl(victim.accountId()));

        assertThat(page.statusCode()).as(page.body()).isEqualTo(403);
        JsonNode body = JSON.readTree(page.body());
        assertThat(body.get("error").asText()).isEqualTo("member_mismatch");
        // The page names who signed in, never the account's own member (the stranger must not learn it).
        assertThat(body.get("message").asText()).contains(stranger.get("memberUrn").asText()).contains("allowRebind")
                .doesNotContain(victim.memberUrn());
        AccountView after = tokens.account(victim.accountId()).orElseThrow();
        assertThat(after.memberUrn()).contains(victim.memberUrn());
        assertThat(after.accessTokenExpiresAt()).isEqualTo(before.accessTokenExpiresAt());
        assertPostsAsItsMember(victim);
        assertThat(types(events(kafka, victim.accountId()))).doesNotContain("courier.account.reauth-resolved");
    }

    @Test
    void aLinkSignedInByTheSameMemberStoresNewTokensThatAreUsed() throws Exception {
        Connected account = connect(simulator, "{}");
        signInNextAs(account.member().get("memberId").asText(), null);

        HttpResponse<String> page = new Browser().connect(ConnectLinks.mintUrl(account.accountId()));

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        // The imported token no longer works at LinkedIn: a post succeeds only with the one the connect stored.
        simulator.call("POST", "/sim/tokens/revoke", """
                {"accessToken":"%s"}""".formatted(account.member().get("accessToken").asText()));
        assertPostsAsItsMember(account);
        assertThat(tokens.account(account.accountId()).orElseThrow().memberUrn()).contains(account.memberUrn());
    }

    @Test
    void aLinkMintedWithAllowRebindAcceptsAnotherMember() throws Exception {
        Connected account = connect(simulator, "{}");
        JsonNode other = simulator.newMember("{}");
        signInNextAs(other.get("memberId").asText(), null);
        Response minted = ConnectLinks.mint(account.accountId(), true);
        minted.then().statusCode(200);

        HttpResponse<String> page = new Browser().connect(minted.jsonPath().getString("url"));

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(tokens.account(account.accountId()).orElseThrow().memberUrn())
                .contains(other.get("memberUrn").asText());
    }

    @Test
    void onlyAnAdminMintsLinks() {
        String accountId = "acct-" + UUID.randomUUID();
        given().contentType("application/json").body("{}").post("/admin/accounts/{id}/connect-link", accountId)
                .then().statusCode(401);
        given().auth().oauth2("not-the-token").post("/admin/accounts/{id}/connect-link", accountId).then()
                .statusCode(401);
        assertThat(tokens.account(accountId)).isEmpty();
        given().auth().oauth2(io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN).contentType("application/json")
                .body("""
                        {"allowRebind":"yes"}""").post("/admin/accounts/{id}/connect-link", accountId)
                .then().statusCode(400);
        // No body at all is a plain link.
        given().auth().oauth2(io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN)
                .post("/admin/accounts/{id}/connect-link", accountId)
                .then().statusCode(200);
    }

    @Test
    void aLinkWorksOnceAndForAShortTime() {
        Response minted = ConnectLinks.mint("acct-" + UUID.randomUUID(), false);
        minted.then().statusCode(200);
        Instant expiresAt = Instant.parse(minted.jsonPath().getString("expiresAt"));
        assertThat(expiresAt).isBetween(Instant.now(), Instant.now().plus(Duration.ofHours(1)));
        String link = minted.jsonPath().getString("url");
        Browser browser = new Browser();
        browser.open(link);

        HttpResponse<String> again = browser.get(link);
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(again.body()).contains("link_used");
        HttpResponse<String> elsewhere = new Browser().get(link);
        assertThat(elsewhere.statusCode()).isEqualTo(403);
    }

    @Test
    void aCallbackInAnotherBrowserIsRefused() throws Exception {
        Connected account = connect(simulator, "{}");
        AccountView before = tokens.account(account.accountId()).orElseThrow();
        signInNextAs(account.member().get("memberId").asText(), null);
        // The attacker opens the link and sends the victim LinkedIn's consent page (login CSRF).
        String consentPage = new Browser().open(ConnectLinks.mintUrl(account.accountId()));

        Browser victim = new Browser();
        HttpResponse<String> page = victim.get(victim.throughLinkedIn(consentPage));

        assertThat(page.statusCode()).as(page.body()).isEqualTo(403);
        assertThat(JSON.readTree(page.body()).get("error").asText()).isEqualTo("browser_mismatch");
        assertThat(tokens.account(account.accountId()).orElseThrow()).isEqualTo(before);
    }

    @Test
    void aGrantWithFewerScopesIsRefusedNamingThemAndTheWorkingGrantIsKept() throws Exception {
        Connected account = connect(simulator, "{}");
        AccountView before = tokens.account(account.accountId()).orElseThrow();
        assertThat(before.scopes()).contains("w_member_social", "w_organization_social");
        signInNextAs(account.member().get("memberId").asText(), """
                ["openid","profile","email"]""");

        HttpResponse<String> page = new Browser().connect(ConnectLinks.mintUrl(account.accountId()));

        assertThat(page.statusCode()).as(page.body()).isEqualTo(403);
        JsonNode body = JSON.readTree(page.body());
        assertThat(body.get("error").asText()).isEqualTo("scopes_missing");
        assertThat(body.get("message").asText()).contains("w_member_social").contains("w_organization_social")
                .doesNotContain("openid");
        assertThat(tokens.account(account.accountId()).orElseThrow()).isEqualTo(before);
        assertPostsAsItsMember(account);
    }

    @Test
    void aReconnectAsksForEveryScopeTheAccountHasThatJobsUse() {
        Connected account = connect(simulator, "{}");
        String consentPage = new Browser().open(ConnectLinks.mintUrl(account.accountId()));
        assertThat(consentPage).contains("w_organization_social").contains("rw_organization_admin");
    }

    @Test
    void mintingALinkForANewIdCreatesTheAccountAndTheConnectCompletesIt() throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        String link = ConnectLinks.mintUrl(accountId);
        assertThat(tokens.account(accountId))
                .hasValueSatisfying(a -> assertThat(a.status()).isEqualTo("REAUTH_REQUIRED"));

        HttpResponse<String> page = new Browser().connect(link);

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        AccountView view = tokens.account(accountId).orElseThrow();
        assertThat(view.status()).isEqualTo("CONNECTED");
        assertThat(view.memberUrn()).hasValueSatisfying(u -> assertThat(u).startsWith("urn:li:person:"));
    }

    @Test
    void aLinkTheProductSignsItselfWorks() throws Exception {
        Connected account = connect(simulator, "{}");
        signInNextAs(account.member().get("memberId").asText(), null);

        HttpResponse<String> page = new Browser()
                .connect(ConnectLinks.sign(account.accountId(), Instant.now().plusSeconds(300), false));

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    }

    @Test
    void oauthRequestsAreRateLimitedPerClientAddress() {
        int limit = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("courier.oauth.rate-limit.requests", Integer.class);
        Browser flooder = new Browser().from("203.0.113." + (1 + (int) (Math.random() * 250)));
        String url = ConnectLinks.courier() + "/oauth/connect";
        for (int i = 0; i < limit; i++) {
            assertThat(flooder.get(url).statusCode()).isEqualTo(403);
        }
        HttpResponse<String> limited = flooder.get(url);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(flooder.get(ConnectLinks.courier() + "/oauth/callback?state=x&code=y").statusCode()).isEqualTo(429);
        // Others are not held back.
        assertThat(new Browser().from("198.51.100.9").get(url).statusCode()).isEqualTo(403);
    }

    @Test
    void liveStatesAreCappedInTheirOwnKeySpaceAndLeaveBudgetsAlone() throws Exception {
        int cap = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("courier.oauth.max-live-states", Integer.class);
        Connected account = connect(simulator, "{}");
        Map<String, String> budgets = quotaKeys();
        Set<String> keysBefore = allKeys();
        try {
            HttpResponse<String> refused = null;
            for (int i = 0; i <= cap && refused == null; i++) {
                HttpResponse<String> r = new Browser().from("192.0.2." + (i % 200 + 1))
                        .get(ConnectLinks.sign(account.accountId(), Instant.now().plusSeconds(300), false));
                if (r.statusCode() != 303) {
                    refused = r;
                }
            }
            assertThat(refused).as("no connect refused after " + (cap + 1) + " live states").isNotNull();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("too_many_connects");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(redisson.getScoredSortedSet("courier:oauth:{states}:live").size()).isEqualTo(cap);
            Set<String> written = allKeys();
            written.removeAll(keysBefore);
            assertThat(written).isNotEmpty().allMatch(k -> k.startsWith("courier:oauth:"));
            // No budget key was added or changed its type; one may have expired meanwhile (the recent-429 marks do).
            assertThat(budgets.entrySet()).containsAll(quotaKeys().entrySet());
        } finally {
            redisson.getKeys().deleteByPattern("courier:oauth:{states}*");
        }
    }

    private void assertPostsAsItsMember(Connected account) throws Exception {
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), job(jobId, "post.create", account.accountId(),
                """
                        {"author":"%s","commentary":"still me %s"}""".formatted(account.memberUrn(), jobId)));
        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).as(result.toString()).isEqualTo("SUCCEEDED");
        assertThat(result.get("attempts").asInt()).as(result.toString()).isEqualTo(1);
    }

    private void signInNextAs(String memberId, String scopesJson) {
        simulator.call("POST", "/sim/authorization/next", """
                {"memberId":"%s"%s}""".formatted(memberId, (scopesJson == null ? "" : ",\"scopes\":" + scopesJson)));
    }

    private Set<String> oauthKeys() {
        return redisson.getKeys().getKeysStream(KeysScanOptions.defaults().pattern("courier:oauth*"))
                .collect(Collectors.toSet());
    }

    private Set<String> allKeys() {
        return redisson.getKeys().getKeysStream().collect(Collectors.toSet());
    }

    /** Every quota bucket and its value: what a flood of connects must not change. */
    private Map<String, String> quotaKeys() {
        String prefix = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("courier.quota.key-prefix",
                String.class);
        Map<String, String> out = new TreeMap<>();
        redisson.getKeys().getKeysStream(KeysScanOptions.defaults().pattern(prefix + "*"))
                .forEach(k -> out.put(k, String.valueOf(redisson.getKeys().getType(k))));
        return out;
    }
}
