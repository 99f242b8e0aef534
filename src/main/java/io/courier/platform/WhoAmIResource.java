package io.courier.platform;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** {@code GET /admin/whoami}: the calling token's name and role, so the ops page can say who is signed in. */
@Path("/admin/whoami")
@Produces(MediaType.APPLICATION_JSON)
public class WhoAmIResource {

    private final SecurityIdentity caller;

    WhoAmIResource(SecurityIdentity caller) {
        this.caller = caller;
    }

    @Operation(summary = "The calling token's name and role", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "{name, role}")
    @GET
    @RolesAllowed(AdminRole.VIEWER_NAME)
    public Map<String, String> whoami() {
        return Map.of("name", caller.getPrincipal().getName(),
                "role", caller.<AdminRole>getAttribute(AdminRole.class.getName()).wireName());
    }
}
