package io.courier.auth;

import io.courier.platform.AdminRole;
import io.courier.platform.ApiError;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** {@code GET /admin/accounts?status=REAUTH_REQUIRED}: accounts in a state, for ops (never tokens). */
@Path("/admin/accounts")
@Produces(MediaType.APPLICATION_JSON)
public class AccountListResource {

    private final TokenStore tokens;

    AccountListResource(TokenStore tokens) {
        this.tokens = tokens;
    }

    @Operation(summary = "Accounts with a status (REAUTH_REQUIRED unless asked), with the reason", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "the accounts")
    @APIResponse(responseCode = "400", description = "status is not one of the statuses", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @GET
    @RolesAllowed(AdminRole.VIEWER_NAME)
    public Response accounts(@QueryParam("status") @DefaultValue("REAUTH_REQUIRED") String status,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        Account.Status wanted;
        try {
            wanted = Account.Status.valueOf(status);
        } catch (IllegalArgumentException e) {
            return ApiError.badRequest("status", "status must be one of " + Arrays.toString(Account.Status.values()));
        }
        return Response.ok(tokens.accountsIn(wanted, Math.max(1, Math.min(limit, 1000)))).build();
    }
}
