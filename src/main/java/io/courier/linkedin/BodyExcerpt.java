package io.courier.linkedin;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A short, single-line text of an answer body that is not the JSON LinkedIn documents (a gateway's HTML page, plain
 * text), for a failure's message and its dead-letter header: tags and control characters dropped, at most
 * {@link #MAX_CHARS} characters. Never used on a JSON body (a token answer's JSON could hold a token).
 */
final class BodyExcerpt {

    static final int MAX_CHARS = 200;
    private static final Pattern TAG = Pattern.compile("<[^>]*>?");
    private static final Pattern SPACE = Pattern.compile("[\\s\\p{Cntrl}]+");

    private BodyExcerpt() {}

    /** e.g. "a non-JSON body (5242880 bytes, text/html): 503 Service Unavailable 503 Service Unavailable The se…". */
    static String describe(HttpHeaders headers, byte[] body) {
        if (body == null || body.length == 0) {
            return "an empty body";
        }
        long size = headers.firstValueAsLong("Content-Length").orElse(body.length);
        String type = headers.firstValue("Content-Type").map(t -> ", " + t).orElse("");
        String head = new String(body, 0, Math.min(body.length, 4 * MAX_CHARS + 4096), StandardCharsets.UTF_8);
        String text = SPACE.matcher(TAG.matcher(head).replaceAll(" ")).replaceAll(" ").strip();
        String cut = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "…" : text;
        return "a non-JSON body (" + size + " bytes" + type + ")" + (cut.isEmpty() ? "" : ": " + cut);
    }
}
