package io.courier.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Drives the LinkedIn simulator's control API (/sim/*) over HTTP, as any test client would. */
public final class SimulatorControl {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;

    /** The next POST /rest/posts answers LinkedIn's 401 for an expired access token (65602): Courier refreshes. */
    public static final String EXPIRED_ACCESS_TOKEN_ON_POST = """
                {"method":"POST","path":"/rest/posts","status":401,"times":1,"body":"{\\"status\\":401,\
                \\"serviceErrorCode\\":65602,\\"code\\":\\"EXPIRED_ACCESS_TOKEN\\",\
                \\"message\\":\\"The token used in the request has expired\\"}"}""";

    public SimulatorControl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** Creates a member and returns what /sim/members answers: memberId, memberUrn, tokens, expiries, scopes. */
    public JsonNode newMember(String bodyJson) {
        return call("POST", "/sim/members", bodyJson);
    }

    public JsonNode fault(String bodyJson) {
        return call("POST", "/sim/faults", bodyJson);
    }

    public void clearFaults() {
        call("DELETE", "/sim/faults", null);
    }

    public JsonNode stats() {
        return call("GET", "/sim/stats", null);
    }

    public JsonNode requests() {
        return call("GET", "/sim/requests?limit=1000", null);
    }

    /** Puts a file on the simulator's media server; answers its URL (GET /files/{name}). */
    public String putFile(String name, byte[] bytes, String contentType) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/sim/files/" + name))
                .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 204) {
                throw new IllegalStateException("PUT /sim/files/" + name + " -> " + status);
            }
        } catch (IOException e) {
            throw new IllegalStateException("PUT /sim/files/" + name + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return baseUrl + "/files/" + name;
    }

    public JsonNode call(String method, String path, String bodyJson) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .method(method, bodyJson == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(bodyJson));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(
                        method + " " + path + " -> " + response.statusCode() + " " + response.body());
            }
            return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
