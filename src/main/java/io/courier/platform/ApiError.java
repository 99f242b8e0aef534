package io.courier.platform;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one JSON error shape of Courier's HTTP API: {"error": "...", "field": "..."}. */
public final class ApiError {

    private ApiError() {}

    /** The error body as /q/openapi describes it. */
    public record Body(String error, String field) {}

    public static Response badRequest(String field, String message) {
        return of(Response.Status.BAD_REQUEST, field, message);
    }

    public static Response notFound(String field, String message) {
        return of(Response.Status.NOT_FOUND, field, message);
    }

    public static Response of(Response.Status status, String field, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
