package io.courier.platform;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Guards everything under /admin with one bearer token (COURIER_ADMIN_TOKEN). With no token configured the
 * admin API refuses every call (CONTRACT §2) rather than running open.
 */
public class AdminAuthFilter {

    private final Optional<byte[]> adminToken;

    AdminAuthFilter(@ConfigProperty(name = "courier.admin.token") Optional<String> adminToken) {
        this.adminToken = adminToken.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> checkBearer(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/admin") && !path.startsWith("/admin/")) {
            return Optional.empty();
        }
        if (adminToken.isEmpty()) {
            return Optional.of(unauthorized("the admin API is disabled: set COURIER_ADMIN_TOKEN"));
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.startsWith("Bearer ")) {
            return Optional.of(unauthorized("missing bearer token: send Authorization: Bearer $COURIER_ADMIN_TOKEN"));
        }
        byte[] presented = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        // Constant-time comparison: the answer's timing must not reveal how much of the token matched.
        return MessageDigest.isEqual(presented, adminToken.get()) ? Optional.empty()
                : Optional.of(unauthorized("wrong bearer token"));
    }

    private static Response unauthorized(String message) {
        return Response.fromResponse(ApiError.of(Response.Status.UNAUTHORIZED, null, message))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"courier-admin\"").build();
    }
}
