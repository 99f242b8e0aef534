package io.courier.platform;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * What /q/openapi says of Courier's HTTP API as a whole. Each operation names its role (the security requirement's
 * scope, from its @RolesAllowed) and its errors ({@link ApiError}'s shape); AdminApiDocumentTest holds the /ops
 * console and the CLI to the routes described here.
 */
@OpenAPIDefinition(info = @Info(title = "Courier admin API", version = "1", description = """
        Admin tokens are named and have a role: viewer (read), operator (replay, discard, cancel), admin (tokens, \
        connect links, key rotation); a role includes the ones before it. Send Authorization: Bearer <token>. \
        Errors are {"error": "...", "field": "..."} (field when one input is to blame)."""))
@SecurityScheme(securitySchemeName = "adminToken", type = SecuritySchemeType.HTTP, scheme = "bearer", description = "COURIER_ADMIN_TOKEN or a named token of courier.admin.tokens")
public class AdminApi extends Application {}
