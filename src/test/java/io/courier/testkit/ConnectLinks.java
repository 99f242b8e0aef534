package io.courier.testkit;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.ConfigProvider;

/** Connect links as a product gets them: minted through the admin API, or signed by the product itself (README). */
public final class ConnectLinks {

    private ConnectLinks() {}

    /** POST /admin/accounts/{id}/connect-link: the answer ({"url","expiresAt"}). */
    public static Response mint(String accountId, boolean allowRebind) {
        return given().auth().oauth2(ConnectedAccounts.ADMIN_TOKEN).contentType("application/json")
                .body("""
                        {"allowRebind":%s}""".formatted(allowRebind))
                .post("/admin/accounts/{id}/connect-link", accountId);
    }

    public static String mintUrl(String accountId) {
        Response r = mint(accountId, false);
        r.then().statusCode(200);
        return r.jsonPath().getString("url");
    }

    /**
     * A link signed the way README's "Connect links" tells a product to, with the shared key
     * (courier.oauth.link-key): no call to Courier.
     */
    public static String sign(String accountId, Instant expires, boolean allowRebind) {
        String nonce = UUID.randomUUID().toString().replace("-", "");
        String rebind = allowRebind ? "1" : "0";
        String message = "courier-connect-v1\n" + accountId + "\n" + expires.getEpochSecond() + "\n" + nonce + "\n"
                + rebind;
        byte[] key = Base64.getDecoder()
                .decode(ConfigProvider.getConfig().getValue("courier.oauth.link-key", String.class));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String sig = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
            return courier() + "/oauth/connect?accountId=" + accountId + "&expires=" + expires.getEpochSecond()
                    + "&nonce=" + nonce + "&rebind=" + rebind + "&sig=" + sig;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Courier's base URL in the tests (the redirect URI's origin). */
    public static String courier() {
        String redirect = ConfigProvider.getConfig().getValue("courier.oauth.redirect-uri", String.class);
        return redirect.substring(0, redirect.indexOf("/oauth/callback"));
    }
}
