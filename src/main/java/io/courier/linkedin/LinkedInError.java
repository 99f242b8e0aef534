package io.courier.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One LinkedIn error answer, parsed from any of its body shapes (linkedin-api.md §2): with or without
 * {@code code}, with {@code errorDetails.inputErrors}, or a 5xx with an HTML or empty body (then the message holds a
 * short text of the body). The body may be cut short (LinkedInTransport reads at most 64 KiB of an error).
 */
public record LinkedInError(int status, OptionalInt serviceErrorCode, Optional<String> code, String message,
        List<String> inputErrorCodes, Optional<String> linkedinRequestId, Optional<Duration> retryAfter) {

    private static final Pattern DUPLICATE_OF = Pattern.compile("duplicate of (urn:li:(?:share|ugcPost):\\d+)");

    public LinkedInError {
        inputErrorCodes = List.copyOf(inputErrorCodes);
    }

    /** LinkedIn's id of one answer (x-li-uuid; x-li-request-id on some endpoints), for its support and our logs. */
    static Optional<String> requestIdOf(HttpHeaders headers) {
        return headers.firstValue("x-li-uuid").or(() -> headers.firstValue("x-li-request-id"));
    }

    /** {@code now} is when the answer came, for a Retry-After given as an HTTP date. */
    public static LinkedInError parse(ObjectMapper json, int status, HttpHeaders headers, byte[] body, Instant now) {
        Optional<String> requestId = requestIdOf(headers);
        Optional<Duration> retryAfter = headers.firstValue("Retry-After").flatMap(value -> retryAfter(value, now));
        JsonNode tree = readJson(json, body);
        if (tree == null || !tree.isObject()) {
            String message = "HTTP " + status + " with " + BodyExcerpt.describe(headers, body);
            return new LinkedInError(status, OptionalInt.empty(), Optional.empty(), message, List.of(), requestId,
                    retryAfter);
        }
        OptionalInt serviceErrorCode = tree.path("serviceErrorCode").isInt()
                ? OptionalInt.of(tree.get("serviceErrorCode").asInt())
                : OptionalInt.empty();
        Optional<String> code = tree.path("code").isTextual()
                ? Optional.of(tree.get("code").asText())
                : Optional.empty();
        String message = tree.path("message").isTextual() ? tree.get("message").asText().strip() : "HTTP " + status;
        List<String> inputErrors = new ArrayList<>();
        tree.path("errorDetails").path("inputErrors").forEach(e -> {
            if (e.path("code").isTextual()) {
                inputErrors.add(e.get("code").asText());
            }
        });
        return new LinkedInError(status, serviceErrorCode, code, message, inputErrors, requestId, retryAfter);
    }

    public boolean hasInputError(String inputErrorCode) {
        return inputErrorCodes.contains(inputErrorCode);
    }

    /** The existing post a 422 DUPLICATE_POST points at ("Content is a duplicate of urn:li:share:…"). */
    public Optional<String> duplicateOf() {
        Matcher m = DUPLICATE_OF.matcher(message);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** A daily quota answer ("… APPLICATION DAY limit …"), as opposed to short-term throttling. */
    public boolean isDailyLimit() {
        return status == 429 && message.contains("DAY limit");
    }

    private static JsonNode readJson(ObjectMapper json, byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }

    /** Retry-After is delta-seconds or an HTTP date; anything else is ignored (never depend on it: §3). */
    private static Optional<Duration> retryAfter(String value, Instant now) {
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(now, at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException notADate) {
                return Optional.empty();
            }
        }
    }
}
