package io.courier.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * LinkedIn's OAuth 2.0 server (linkedin-api.md §1): the authorization URL, the code exchange and the refresh.
 * Every refusal becomes an {@link OAuthException} of the right kind; a missing answer (timeout, reset, refused,
 * mapped by {@link LinkedInTransport} as for the REST calls) a {@link LinkedInUnreachableException}. The whole
 * answer is bounded in time and size like every LinkedIn call. Tokens travel only in request bodies and never
 * reach a log line.
 */
@ApplicationScoped
public class LinkedInOAuthClient {

    private static final Logger LOG = Logger.getLogger(LinkedInOAuthClient.class);
    /** LinkedIn's refresh-token window is fixed at 365 days from first consent and never extended. */
    public static final Duration REFRESH_WINDOW = Duration.ofDays(365);

    private final LinkedInConfig config;
    private final Clock clock;
    private final ObjectMapper json;
    private final LinkedInTransport transport;

    public LinkedInOAuthClient(LinkedInConfig config, Clock clock, ObjectMapper json) {
        this(config, clock, json, TracerProvider.noop().get("courier"));
    }

    @jakarta.inject.Inject
    public LinkedInOAuthClient(LinkedInConfig config, Clock clock, ObjectMapper json, Tracer tracer) {
        this.config = config;
        this.clock = clock;
        this.json = json;
        this.transport = new LinkedInTransport(config, tracer);
    }

    /** Tokens as LinkedIn granted them: plaintext, on their way into the token store. Never logged. */
    public record Tokens(String accessToken, Instant accessTokenExpiresAt, Optional<String> refreshToken,
            Optional<Duration> refreshTokenExpiresIn, List<String> scopes) {
        @Override
        public String toString() {
            return "Tokens[accessTokenExpiresAt=" + accessTokenExpiresAt + ", refreshToken="
                    + (refreshToken.isPresent() ? "present" : "absent") + ", scopes=" + scopes + "]";
        }
    }

    /** Where to send the member's browser to grant Courier access. */
    public URI authorizationUrl(String state, String redirectUri, List<String> scopes) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", config.clientId().orElse(""));
        query.put("redirect_uri", redirectUri);
        query.put("state", state);
        query.put("scope", String.join(" ", scopes));
        return URI.create(base() + "/oauth/v2/authorization?" + form(query));
    }

    public Tokens exchangeCode(String code, String redirectUri) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", redirectUri);
        return token("oauth.code", body);
    }

    public Tokens refresh(BearerToken refreshToken) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "refresh_token");
        body.put("refresh_token", refreshToken.reveal());
        return token("oauth.refresh", body);
    }

    private Tokens token(String endpoint, Map<String, String> body) {
        body.put("client_id", config.clientId().orElse(""));
        body.put("client_secret", config.clientSecret().orElse(""));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "/oauth/v2/accessToken"))
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(body)))
                .build();
        LinkedInTransport.Answer response = transport.send(endpoint, request, config.requestTimeout());
        JsonNode answer = response.truncated() ? json.nullNode() : readTree(response.body());
        if (response.status() != 200 || !answer.hasNonNull("access_token")) {
            String error = answer.path("error").asText(null);
            String description = answer.path("error_description").asText(describe(response, answer));
            OAuthException.Kind kind = OAuthException.classify(response.status(), error, description);
            LOG.infof("linkedin token call refused endpoint=%s status=%d error=%s kind=%s", endpoint,
                    response.status(), error == null ? "-" : error, kind);
            throw new OAuthException(kind, response.status(), Optional.ofNullable(error), description);
        }
        Instant now = clock.instant();
        return new Tokens(answer.get("access_token").asText(),
                now.plusSeconds(answer.path("expires_in").asLong(0)),
                Optional.ofNullable(answer.path("refresh_token").asText(null)),
                answer.hasNonNull("refresh_token_expires_in")
                        ? Optional.of(Duration.ofSeconds(answer.get("refresh_token_expires_in").asLong()))
                        : Optional.empty(),
                Arrays.stream(answer.path("scope").asText("").split("[ ,]+")).filter(s -> !s.isBlank()).toList());
    }

    private String base() {
        String base = config.oauthBaseUrl().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** An error answer that is not LinkedIn's JSON (a gateway's HTML page) is described by its text; JSON never is. */
    private static String describe(LinkedInTransport.Answer response, JsonNode answer) {
        return response.status() != 200 && !answer.isObject()
                ? BodyExcerpt.describe(response.headers(), response.body())
                : "(no description)";
    }

    private JsonNode readTree(byte[] body) {
        try {
            return body == null || body.length == 0 ? json.nullNode() : json.readTree(body);
        } catch (IOException e) {
            return json.nullNode();
        }
    }
}
