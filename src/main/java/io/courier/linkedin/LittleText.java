package io.courier.linkedin;

/**
 * LinkedIn's "little" text format for commentary: reserved characters must be backslash-escaped, or LinkedIn
 * silently truncates the post at the first one and still answers 2xx (linkedin-api.md §7).
 */
final class LittleText {

    private static final String RESERVED = "|{}@[]()<>#*_~\\";

    private LittleText() {}

    static String escape(String plain) {
        StringBuilder out = new StringBuilder(plain.length() + 16);
        for (int i = 0; i < plain.length(); i++) {
            char c = plain.charAt(i);
            if (RESERVED.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
