package io.courier.platform;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refused admin calls in the API's JSON error shape: 401 says what to send, 403 which role the endpoint needs. */
public class AdminErrors {

    private final SecurityIdentity caller;

    AdminErrors(SecurityIdentity caller) {
        this.caller = caller;
    }

    @ServerExceptionMapper
    public Response unknownToken(AuthenticationFailedException e) {
        return unauthorized(Optional.ofNullable(e.getMessage()).orElse("unknown admin token"));
    }

    @ServerExceptionMapper
    public Response noToken(UnauthorizedException e) {
        return unauthorized("missing bearer token: send Authorization: Bearer <admin token>");
    }

    @ServerExceptionMapper
    public Response tooLittleRole(ForbiddenException e, ResourceInfo endpoint) {
        String needs = Optional.ofNullable(endpoint.getResourceMethod().getAnnotation(RolesAllowed.class))
                .or(() -> Optional.ofNullable(endpoint.getResourceClass().getAnnotation(RolesAllowed.class)))
                .map(r -> String.join(" or ", r.value())).orElse("a role no token has");
        String who = caller.isAnonymous() ? "this caller" : "token '" + caller.getPrincipal().getName() + "'";
        return ApiError.of(Response.Status.FORBIDDEN, null, who + " may not do this: it needs role " + needs);
    }

    private static Response unauthorized(String message) {
        return Response.fromResponse(ApiError.of(Response.Status.UNAUTHORIZED, null, message))
                .header(HttpHeaders.WWW_AUTHENTICATE, AdminTokenAuthentication.REALM).build();
    }
}
