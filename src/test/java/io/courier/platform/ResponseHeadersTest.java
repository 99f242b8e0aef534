package io.courier.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.AdminCallers;
import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The pages and the admin API cannot be framed, sniffed, cached or leak their URL as a referrer, and their
 * Content-Security-Policy allows no inline script or style but the ones it names by hash.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class ResponseHeadersTest {

    private static final Pattern INLINE = Pattern.compile("<(script|style)(\\s[^>]*)?>(.*?)</\\1>", Pattern.DOTALL);

    @Test
    void theOpsPageAndItsFilesCarryTheHeaders() {
        for (String path : List.of("/ops/", "/ops/ops.js", "/ops/ops.css")) {
            Response page = given().redirects().follow(false).get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertSecure(path, page);
        }
        assertSecure("/ops", given().redirects().follow(false).get("/ops"));
    }

    @Test
    void theOAuthPagesCarryTheHeaders() {
        for (String path : List.of("/oauth/connect?accountId=headers-test",
                "/oauth/callback?state=no-such-state&code=x")) {
            Response page = given().redirects().follow(false).accept("text/html").get(path);
            assertThat(page.statusCode()).as(path).isBetween(400, 499); // a refusal page, with the OAuth pages' style
            assertThat(page.contentType()).as(path).startsWith("text/html");
            assertSecure(path, page);
        }
    }

    @Test
    void theAdminApiCarriesTheHeadersWithAndWithoutAToken() {
        Response ok = given().auth().oauth2(AdminCallers.VIEWER.token()).get("/admin/accounts");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertSecure("/admin/accounts", ok);
        Response refused = given().get("/admin/accounts");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertSecure("/admin/accounts (401)", refused);
    }

    private static void assertSecure(String what, Response response) {
        String csp = response.header("Content-Security-Policy");
        assertThat(csp).as(what + " CSP").isNotNull().contains("frame-ancestors 'none'").contains("default-src 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(response.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
        assertThat(response.header("Referrer-Policy")).as(what).isEqualTo("no-referrer");
        assertThat(response.header("Cache-Control")).as(what).isEqualTo("no-store");
        String contentType = response.contentType() == null ? "" : response.contentType();
        if (contentType.startsWith("text/html")) {
            Matcher inline = INLINE.matcher(response.asString());
            while (inline.find()) {
                if (inline.group(2) != null && inline.group(2).contains("src=")) {
                    continue; // a file from 'self', not inline
                }
                String hash = "'sha256-" + sha256(inline.group(3)) + "'";
                String directive = inline.group(1) + "-src";
                assertThat(directive(csp, directive)).as(what + ": an inline " + inline.group(1)
                        + " must be allowed by its hash in quarkus.http.header.\"Content-Security-Policy\"")
                        .contains(hash);
            }
        }
    }

    private static String directive(String csp, String name) {
        for (String part : csp.split(";")) {
            if (part.trim().startsWith(name + " ")) {
                return part.trim();
            }
        }
        return "";
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
