package io.courier.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.agroal.api.AgroalDataSource;
import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(CourierServices.class)
class AccountResourceTest {

    private static final String ADMIN = "test-admin-token";

    @Inject
    AgroalDataSource db;

    private static String tokens(String access, String refresh) {
        return """
                {"accessToken":"%s","accessTokenExpiresAt":"2027-01-20T00:00:00Z","refreshToken":"%s",\
                "refreshTokenExpiresAt":"2027-11-20T00:00:00Z","scopes":["openid","w_member_social"],\
                "memberUrn":"urn:li:person:782bbtaQ"}""".formatted(access, refresh);
    }

    @Test
    void refusesCallsWithoutTheAdminToken() {
        given().get("/admin/accounts/any").then().statusCode(401).body("error", containsString("bearer"));
        given().auth().oauth2("wrong").get("/admin/accounts/any").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
        given().auth().oauth2("wrong").contentType("application/json").body(tokens("a", "b"))
                .put("/admin/accounts/any/tokens").then().statusCode(401);
    }

    @Test
    void importsTokensAndShowsTheAccountWithoutThem() {
        String accountId = "acct-" + UUID.randomUUID();
        String access = "AQUvlL_" + UUID.randomUUID();
        given().auth().oauth2(ADMIN).contentType("application/json").body(tokens(access, "AQWAft_refresh"))
                .put("/admin/accounts/{id}/tokens", accountId)
                .then().statusCode(200).body("status", equalTo("CONNECTED")).body(not(containsString(access)));

        given().auth().oauth2(ADMIN).get("/admin/accounts/{id}", accountId).then().statusCode(200)
                .body("accountId", equalTo(accountId))
                .body("memberUrn", equalTo("urn:li:person:782bbtaQ"))
                .body("accessTokenExpiresAt", equalTo("2027-01-20T00:00:00Z"))
                .body("refreshTokenExpiresAt", equalTo("2027-11-20T00:00:00Z"))
                .body("hasRefreshToken", equalTo(true))
                .body("scopes[1]", equalTo("w_member_social"))
                .body(not(containsString(access)))
                .body(not(containsString("AQWAft_refresh")));
    }

    @Test
    void theDatabaseHoldsNoPlaintextToken() throws Exception {
        String accountId = "acct-" + UUID.randomUUID();
        String access = "AQUvlL_canary_" + UUID.randomUUID();
        String refresh = "AQWAft_canary_" + UUID.randomUUID();
        given().auth().oauth2(ADMIN).contentType("application/json").body(tokens(access, refresh))
                .put("/admin/accounts/{id}/tokens", accountId).then().statusCode(200);

        try (Connection c = db.getConnection();
                ResultSet rows = c.createStatement().executeQuery(
                        "select a.*, t.* from account a join account_token t on t.account_id = a.id where a.id = '"
                                + accountId + "'")) {
            assertThat(rows.next()).isTrue();
            for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                byte[] raw = rows.getBytes(i);
                String column = raw == null ? "" : new String(raw, StandardCharsets.ISO_8859_1);
                assertThat(column).as(rows.getMetaData().getColumnName(i)).doesNotContain(access)
                        .doesNotContain(refresh)
                        .doesNotContain("canary");
            }
        }
    }

    @Test
    void anImportWithoutARefreshTokenKeepsTheStoredOne() {
        String accountId = "acct-" + UUID.randomUUID();
        given().auth().oauth2(ADMIN).contentType("application/json").body(tokens("first", "kept-refresh"))
                .put("/admin/accounts/{id}/tokens", accountId).then().statusCode(200);
        given().auth().oauth2(ADMIN).contentType("application/json")
                .body("""
                        {"accessToken":"second","accessTokenExpiresAt":"2027-02-01T00:00:00Z"}""")
                .put("/admin/accounts/{id}/tokens", accountId).then().statusCode(200)
                .body("hasRefreshToken", equalTo(true))
                .body("refreshTokenExpiresAt", equalTo("2027-11-20T00:00:00Z"))
                .body("accessTokenExpiresAt", equalTo("2027-02-01T00:00:00Z"));
    }

    @Test
    void badImportsAreRefusedNamingTheField() {
        given().auth().oauth2(ADMIN).contentType("application/json").body("""
                {"accessTokenExpiresAt":"2027-01-01T00:00:00Z"}""")
                .put("/admin/accounts/a1/tokens").then().statusCode(400).body("field", equalTo("accessToken"));
        given().auth().oauth2(ADMIN).contentType("application/json").body("""
                {"accessToken":"x","accessTokenExpiresAt":"soon"}""")
                .put("/admin/accounts/a1/tokens").then().statusCode(400).body("field", equalTo("accessTokenExpiresAt"))
                .body("error", containsString("ISO-8601"));
        given().auth().oauth2(ADMIN).contentType("application/json")
                .body("""
                        {"accessToken":"x","accessTokenExpiresAt":"2027-01-01T00:00:00Z","refreshToken":"r"}""")
                .put("/admin/accounts/a1/tokens").then().statusCode(400)
                .body("field", equalTo("refreshTokenExpiresAt"));
        given().auth().oauth2(ADMIN).contentType("application/json")
                .body("""
                        {"accessToken":"x","accessTokenExpiresAt":"2027-01-01T00:00:00Z",\
                        "memberUrn":"urn:li:share:1"}""")
                .put("/admin/accounts/a1/tokens").then().statusCode(400).body("field", equalTo("memberUrn"));
        given().auth().oauth2(ADMIN).contentType("application/json").body(tokens("x", "y"))
                .put("/admin/accounts/{id}/tokens", "bad id with spaces").then().statusCode(400)
                .body("field", equalTo("accountId"));
        given().auth().oauth2(ADMIN).get("/admin/accounts/{id}", "acct-unknown-" + UUID.randomUUID()).then()
                .statusCode(404);
    }
}
