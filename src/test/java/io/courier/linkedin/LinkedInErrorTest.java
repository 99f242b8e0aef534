package io.courier.linkedin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.retry.ErrorClass;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error body of linkedin-api.md §2, parsed and classified. */
class LinkedInErrorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpHeaders UUID_HEADER = HttpHeaders.of(Map.of("x-li-uuid", List.of("AAYmJ3x7cB1=")),
            (a, b) -> true);

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    private static LinkedInError parse(int status, String body) {
        return LinkedInError.parse(JSON, status, UUID_HEADER, body.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @ParameterizedTest(name = "{0} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "401 | {\"serviceErrorCode\":65600,\"message\":\"Invalid access token\",\"status\":401} | 65600 | AUTH_EXPIRED | | Invalid access token",
            "401 | {\"status\":401,\"serviceErrorCode\":65601,\"code\":\"REVOKED_ACCESS_TOKEN\",\"message\":\"The token used in the request has been revoked by the user\"} | 65601 | REAUTH_REQUIRED | REVOKED_ACCESS_TOKEN | revoked by the user",
            "401 | {\"status\":401,\"serviceErrorCode\":65602,\"code\":\"EXPIRED_ACCESS_TOKEN\",\"message\":\"The token used in the request has expired\"} | 65602 | AUTH_EXPIRED | EXPIRED_ACCESS_TOKEN | has expired",
            "401 | {\"message\":\"Empty oauth2_access_token\",\"serviceErrorCode\":401,\"status\":401} | 401 | AUTH_EXPIRED | | Empty oauth2_access_token",
            "403 | {\"status\":403,\"serviceErrorCode\":100,\"code\":\"ACCESS_DENIED\",\"message\":\"Not enough permissions to access: posts.CREATE.20261101\"} | 100 | PERMISSION_DENIED | ACCESS_DENIED | posts.CREATE.20261101",
            "400 | {\"status\":400,\"code\":\"VERSION_MISSING\",\"message\":\"A version must be present. Please specify a version by adding the LinkedIn-Version header.\"} | | VERSION_UNSUPPORTED | VERSION_MISSING | A version must be present",
            "426 | {\"status\":426,\"code\":\"NONEXISTENT_VERSION\",\"message\":\"Requested version 20240401 is not active\"} | | VERSION_UNSUPPORTED | NONEXISTENT_VERSION | is not active",
            "422 | {\"message\":\"ERROR :: /author :: field is required but not found and has no default value\\n\",\"status\":422} | | BAD_REQUEST | | ERROR :: /author",
            "429 | {\"serviceErrorCode\":101,\"message\":\"Resource level throttle limit for calls to this resource is reached.\",\"status\":429} | 101 | RATE_LIMITED | | throttle limit",
            "429 | {\"status\":429,\"serviceErrorCode\":101,\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached.\"} | 101 | QUOTA_EXHAUSTED | TOO_MANY_REQUESTS | DAY limit",
            "429 | {\"status\":429,\"serviceErrorCode\":101,\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"Resource level throttle APPLICATION DAY limit for calls to this resource is reached.\"} | 101 | QUOTA_EXHAUSTED | TOO_MANY_REQUESTS | APPLICATION DAY",
            "404 | {\"status\":404,\"code\":\"RESOURCE_NOT_FOUND\",\"message\":\"No virtual resource found\"} | | BAD_REQUEST | RESOURCE_NOT_FOUND | No virtual resource",
            "500 | {\"message\":\"Internal Server Error\",\"status\":500} | | SERVER_ERROR | | Internal Server Error"})
    void parsesAndClassifiesEachDocumentedBody(int status, String body, Integer serviceErrorCode, ErrorClass expected,
            String code, String messagePart) {
        LinkedInError e = parse(status, body);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.serviceErrorCode().isPresent() ? e.serviceErrorCode().getAsInt() : null)
                .isEqualTo(serviceErrorCode);
        assertThat(e.code().orElse(null)).isEqualTo(code);
        assertThat(e.message()).contains(messagePart);
        assertThat(e.linkedinRequestId()).contains("AAYmJ3x7cB1=");
        assertThat(ErrorClassifier.classify(e)).isEqualTo(expected);
    }

    @Test
    void readsTheInputErrorsOfADetailed400() {
        LinkedInError e = parse(400, """
                {"errorDetailType":"com.linkedin.common.error.BadRequest",\
                "message":"Invalid param. Please see errorDetails for more information.",\
                "errorDetails":{"inputErrors":[{"description":"bad","input":{"inputPath":{"fieldPath":"commentary"}},\
                "code":"PARAM_INVALID"}]},"status":400}""");
        assertThat(e.inputErrorCodes()).containsExactly("PARAM_INVALID");
        assertThat(ErrorClassifier.classify(e)).isEqualTo(ErrorClass.BAD_REQUEST);
    }

    @Test
    void takesTheOriginalUrnFromADuplicatePost() {
        LinkedInError e = parse(422, """
                {"errorDetailType":"com.linkedin.common.error.BadRequest",\
                "message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808",\
                "errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},\
                "code":"DUPLICATE_POST"}]},"status":422}""");
        assertThat(ErrorClassifier.classify(e)).isEqualTo(ErrorClass.DUPLICATE);
        assertThat(e.duplicateOf()).contains("urn:li:share:7141138937766391808");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"502 | <html><body>Bad Gateway</body></html> | non-JSON", "503 | '' | empty"})
    void survivesNonJsonServerErrorBodies(int status, String body, String described) {
        LinkedInError e = parse(status, body);
        assertThat(e.message()).contains("HTTP " + status).contains(described);
        assertThat(ErrorClassifier.classify(e)).isEqualTo(ErrorClass.SERVER_ERROR);
    }

    @Test
    void readsRetryAfterSecondsWhenSent() {
        HttpHeaders headers = HttpHeaders.of(Map.of("Retry-After", List.of("7")), (a, b) -> true);
        LinkedInError e = LinkedInError.parse(JSON, 429, headers, """
                {"status":429,"message":"x"}""".getBytes(), NOW);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.linkedinRequestId()).isEmpty();
    }

    @ParameterizedTest(name = "Retry-After: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {"Tue, 24 Nov 2026 10:01:30 GMT | PT1M30S",
            "Tue, 24 Nov 2026 09:59:00 GMT | PT0S"})
    void readsRetryAfterAsAnHttpDateFromTheAnswersTime(String value, Duration expected) {
        HttpHeaders headers = HttpHeaders.of(Map.of("Retry-After", List.of(value)), (a, b) -> true);
        assertThat(LinkedInError.parse(JSON, 429, headers, new byte[0], NOW).retryAfter()).contains(expected);
    }

    @Test
    void aFailureCarriesEveryHeaderFieldAndNoToken() {
        var failure = ErrorClassifier.toFailure(new LinkedInException("posts.create", parse(403,
                """
                        {"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED",\
                        "message":"Not enough permissions"}""")));
        assertThat(failure.errorClass()).isEqualTo(ErrorClass.PERMISSION_DENIED);
        assertThat(failure.httpStatus().getAsInt()).isEqualTo(403);
        assertThat(failure.linkedInCode()).contains("ACCESS_DENIED");
        assertThat(failure.serviceErrorCode().getAsInt()).isEqualTo(100);
        assertThat(failure.linkedinRequestId()).contains("AAYmJ3x7cB1=");
        assertThat(failure.message()).contains("403").contains("x-li-uuid=AAYmJ3x7cB1=");
        var network = ErrorClassifier.toFailure(new LinkedInUnreachableException("posts.create",
                LinkedInUnreachableException.Kind.RESET, null));
        assertThat(network.errorClass()).isEqualTo(ErrorClass.NETWORK);
    }
}
