package io.courier.auth;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pages of the connect flow: HTML for a browser, JSON for {@code Accept: application/json}. */
final class OAuthPages {

    private OAuthPages() {}

    /** A page; {@code error} null means success. The builder lets the caller add headers (cookie, Retry-After). */
    static Response.ResponseBuilder page(List<String> accept, int status, String error, String accountId, String title,
            String message) {
        if (wantsJson(accept)) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", error == null ? "connected" : "error");
            body.put("error", error);
            body.put("accountId", accountId);
            body.put("title", title);
            body.put("message", message);
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        }
        String html = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em}
                h1{font-size:1.4em}.error{color:#a40000}</style></head>
                <body><h1 class="%s">%s</h1><p>%s</p>%s</body></html>""".formatted(escape(title),
                error == null ? "ok" : "error", escape(title), escape(message),
                error == null ? "" : "<p><small>error: " + escape(error) + "</small></p>");
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(html);
    }

    private static boolean wantsJson(List<String> accept) {
        return accept != null
                && accept.stream().flatMap(a -> List.of(a.split(",")).stream()).anyMatch(OAuthPages::isJson);
    }

    private static boolean isJson(String mediaRange) {
        try {
            MediaType t = MediaType.valueOf(mediaRange.trim());
            return t.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !t.isWildcardType();
        } catch (IllegalArgumentException e) {
            return false; // a malformed Accept header gets the HTML page
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
