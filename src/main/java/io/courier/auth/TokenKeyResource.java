package io.courier.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.courier.platform.AdminRole;
import io.courier.platform.ApiError;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Admin API for key rotation: token rows per key id, and {@code POST /admin/tokens/rekey}, which moves up to
 * {@code limit} rows to the current key and answers where to go on ({@code next}) with the progress so far. A caller
 * (the CLI's {@code tokens rekey}) repeats it until {@code next} is null; stopping in between loses nothing.
 */
@Path("/admin/tokens")
@Produces(MediaType.APPLICATION_JSON)
public class TokenKeyResource {

    private static final int MAX_LIMIT = 10_000;

    private final TokenKeys keys;

    TokenKeyResource(TokenKeys keys) {
        this.keys = keys;
    }

    @Operation(summary = "Stored token rows per encryption key id", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "rows per key id and the current key")
    @GET
    @Path("/keys")
    @RolesAllowed(AdminRole.VIEWER_NAME)
    public Map<String, Object> keys() {
        return progress(keys.rowsByKeyId());
    }

    @Operation(summary = "Re-encrypts up to batch rows under the current key", description = "Role: admin.")
    @APIResponse(responseCode = "200", description = "how many rows were re-encrypted and how many are left")
    @APIResponse(responseCode = "400", description = "a body value that is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @POST
    @Path("/rekey")
    @RolesAllowed(AdminRole.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response rekey(JsonNode body) {
        JsonNode request = body == null ? NullNode.getInstance() : body;
        JsonNode limit = request.path("limit");
        if (!limit.isMissingNode() && !(limit.canConvertToInt() && limit.asInt() >= 1 && limit.asInt() <= MAX_LIMIT)) {
            return ApiError.badRequest("limit", "limit must be a number from 1 to " + MAX_LIMIT);
        }
        JsonNode after = request.path("after");
        if (!after.isMissingNode() && !after.isNull() && !after.isTextual()) {
            return ApiError.badRequest("after", "after must be the `next` of the previous answer, or null");
        }
        TokenKeys.RekeyStep step = keys.rekey(Optional.ofNullable(after.isTextual() ? after.asText() : null),
                limit.isMissingNode() ? 500 : limit.asInt());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rekeyed", step.rekeyed());
        out.put("unreadable", step.unreadable());
        out.put("next", step.next().orElse(null));
        out.putAll(progress(keys.rowsByKeyId()));
        return Response.ok(out).build();
    }

    /** Done is what the current key seals; total is every row. */
    private Map<String, Object> progress(Map<String, Long> byKeyId) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("currentKeyId", keys.currentKeyId());
        out.put("done", byKeyId.getOrDefault(keys.currentKeyId(), 0L));
        out.put("total", byKeyId.values().stream().mapToLong(Long::longValue).sum());
        out.put("rowsByKeyId", byKeyId);
        return out;
    }
}
