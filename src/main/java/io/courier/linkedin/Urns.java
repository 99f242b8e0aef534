package io.courier.linkedin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** LinkedIn URNs: which are well formed, and how to put them in a path or a query (linkedin-api.md §6). */
public final class Urns {

    private static final int MAX_LENGTH = 255;
    private static final Pattern URN = Pattern.compile("urn:li:(person|organization|share|ugcPost|image):(.+)");
    private static final Pattern APP_SCOPED_ID = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern NUMERIC_ID = Pattern.compile("[0-9]+");

    private Urns() {}

    public static boolean isValid(String urn) {
        return problem("urn", urn, Set.of("person", "organization", "share", "ugcPost", "image")).isEmpty();
    }

    /** Why {@code urn} is not a well-formed URN of one of the allowed entity types, naming the field. */
    public static Optional<String> problem(String field, String urn, Set<String> allowedTypes) {
        String expected = allowedTypes.stream().sorted().map(t -> "urn:li:" + t).collect(Collectors.joining(" or "));
        if (urn == null || urn.length() > MAX_LENGTH) {
            return Optional.of(field + " must be a " + expected + " URN of at most " + MAX_LENGTH + " characters");
        }
        Matcher m = URN.matcher(urn);
        if (!m.matches() || !allowedTypes.contains(m.group(1))) {
            return Optional.of(field + " must be a " + expected + " URN, got '" + urn + "'");
        }
        // Person ids are app-scoped strings (782bbtaQ); organization, share and ugcPost ids are numeric.
        Pattern id = m.group(1).equals("person") || m.group(1).equals("image") ? APP_SCOPED_ID : NUMERIC_ID;
        return id.matcher(m.group(2)).matches()
                ? Optional.empty()
                : Optional.of(field + " has a malformed " + m.group(1) + " id in '" + urn + "'");
    }

    /** A URN in a path segment: fully URL-encoded. */
    public static String encodePath(String urn) {
        return URLEncoder.encode(urn, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A URN as a query value: URL-encoded (urn%3Ali%3Aperson%3Aabc). */
    public static String encodeQueryValue(String urn) {
        return encodePath(urn);
    }

    /**
     * A Rest.li list as a query value: each URN encoded, the structure {@code List( , )} literal. Encoding the
     * structure makes LinkedIn answer 400 PARAM_INVALID.
     */
    public static String restliList(List<String> urns) {
        return urns.stream().map(Urns::encodeQueryValue).collect(Collectors.joining(",", "List(", ")"));
    }
}
