package io.courier.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** One HTTP exchange with LinkedIn's answer conventions: x-li-uuid on everything, JSON bodies. */
final class Exchange {

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpExchange http;
    final String method;
    final String path;
    final String rawQuery;
    final Map<String, String> query;
    private byte[] body;
    int status;
    String memberId;
    /** Set by a STALL fault: the answer's body stops after sentBytes, for millis, then the connection closes. */
    Stall stall;

    record Stall(int sentBytes, long millis) {}

    Exchange(HttpExchange http) {
        this.http = http;
        this.method = http.getRequestMethod();
        this.path = http.getRequestURI().getRawPath();
        this.rawQuery = http.getRequestURI().getRawQuery();
        this.query = parseForm(rawQuery);
    }

    String header(String name) {
        return http.getRequestHeaders().getFirst(name);
    }

    byte[] body() throws IOException {
        if (body == null) {
            body = http.getRequestBody().readAllBytes();
        }
        return body;
    }

    JsonNode json() throws IOException {
        byte[] raw = body();
        return raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
    }

    Map<String, String> form() throws IOException {
        return parseForm(new String(body(), StandardCharsets.UTF_8));
    }

    void send(int code, Object value) throws IOException {
        send(code, value == null ? new byte[0] : JSON.writeValueAsBytes(value), "application/json");
    }

    void send(int code, byte[] bytes, String contentType) throws IOException {
        status = code;
        var headers = http.getResponseHeaders();
        String uuid = UUID.randomUUID().toString().replace("-", "").substring(0, 22) + "==";
        headers.set("x-li-uuid", uuid);
        headers.set("x-li-request-id", uuid);
        headers.set("x-li-fabric", "prod-lva1");
        if (stall != null) {
            headers.set("Content-Type", contentType);
            sendStalled(code, bytes);
            return;
        }
        if (bytes.length > 0) {
            headers.set("Content-Type", contentType);
        }
        http.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            http.getResponseBody().write(bytes);
        }
        http.close();
    }

    /**
     * Status line and headers as the endpoint made them, with a Content-Length one byte longer than the body, so
     * the answer can never finish; then at most sentBytes of the body, and silence until the stall ends (what ends
     * it: its millis; the client giving up does not show on this side), and the connection closes mid-body.
     */
    private void sendStalled(int code, byte[] bytes) throws IOException {
        http.sendResponseHeaders(code, bytes.length + 1L);
        try {
            http.getResponseBody().write(bytes, 0, Math.min(Math.max(0, stall.sentBytes()), bytes.length));
            http.getResponseBody().flush();
            LinkedInSimulator.sleep(stall.millis());
        } catch (IOException clientGone) {
            // The client gave up already: nothing more to stall.
        } finally {
            http.close();
        }
    }

    void redirect(String location) throws IOException {
        http.getResponseHeaders().set("Location", location);
        send(302, null);
    }

    /** LinkedIn's error body: {"status", "serviceErrorCode"?, "code"?, "message"}. */
    static Map<String, Object> error(int status, Integer serviceErrorCode, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        if (serviceErrorCode != null) {
            body.put("serviceErrorCode", serviceErrorCode);
        }
        if (code != null) {
            body.put("code", code);
        }
        body.put("message", message);
        return body;
    }

    static Map<String, String> parseForm(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }
}
