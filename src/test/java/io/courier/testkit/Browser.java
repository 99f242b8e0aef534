package io.courier.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * A member's browser in the OAuth connect flow: it keeps cookies (so the state cookie Courier sets at /oauth/connect
 * comes back at /oauth/callback), follows no redirect by itself, and asks for JSON pages.
 */
public final class Browser {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .cookieHandler(new CookieManager()).build();
    private String forwardedFor;
    private String accept = "application/json";

    /** This browser asking for {@code mediaType} pages (a real browser asks for text/html). */
    public Browser accepting(String mediaType) {
        this.accept = mediaType;
        return this;
    }

    /** This browser as seen through a trusted proxy from {@code ip} (X-Forwarded-For). */
    public Browser from(String ip) {
        this.forwardedFor = ip;
        return this;
    }

    public HttpResponse<String> get(String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", accept);
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens a connect link: Courier's redirect to LinkedIn's authorization page. */
    public String open(String connectLink) {
        HttpResponse<String> r = get(connectLink);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).contains("/oauth/v2/authorization?response_type=code").contains("state=");
        return location;
    }

    /** What the browser does at LinkedIn (the simulator signs in and consents): the redirect back to the callback. */
    public String throughLinkedIn(String authorizationUrl) {
        HttpResponse<String> r = get(authorizationUrl);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        String back = r.headers().firstValue("Location").orElseThrow();
        assertThat(back).contains("/oauth/callback?");
        return back;
    }

    /** Opens the link, signs in at LinkedIn and lands on Courier's callback: the page it shows. */
    public HttpResponse<String> connect(String connectLink) {
        return get(throughLinkedIn(open(connectLink)));
    }
}
