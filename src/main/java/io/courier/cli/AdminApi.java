package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

/**
 * A running Courier's admin API as the CLI commands call it: bearer token (its name is who the audit records), JSON
 * both ways.
 */
record AdminApi(String base, String token) {

    private static final ObjectMapper JSON = CliJson.MAPPER;

    /** From the options --url and --token, else COURIER_URL and COURIER_ADMIN_TOKEN. */
    static AdminApi from(Map<String, String> options) {
        return new AdminApi(option(options, "url", "COURIER_URL").orElse("http://localhost:8080"),
                option(options, "token", "COURIER_ADMIN_TOKEN").orElse(""));
    }

    private static Optional<String> option(Map<String, String> options, String name, String variable) {
        return Optional.ofNullable(options.get(name)).or(() -> Optional.ofNullable(System.getenv(variable)));
    }

    JsonNode call(String method, String path, String body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
            if (response.statusCode() / 100 != 2) {
                throw new ApiException(response.statusCode(), answer.path("error").asText(response.body()));
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * One command against Courier: its exit code, or 1 with what went wrong when Courier refused or could not be
     * reached.
     */
    interface Command {
        int run() throws IOException;
    }

    int exitCode(PrintStream err, Command command) {
        try {
            return command.run();
        } catch (ApiException e) {
            err.println("courier answered " + e.status + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("cannot reach Courier at " + base() + ": " + e.getMessage());
            return 1;
        }
    }

    /** Courier answered, with an error. */
    static final class ApiException extends IOException {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
