package io.courier.platform;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * {@code Authorization: Bearer TOKEN} for the admin API, through Quarkus Security: the mechanism reads the header,
 * the identity provider turns a known token (AdminTokens) into its name and roles. Authorization is declared on the
 * endpoints ({@code @RolesAllowed}), which Quarkus checks on the matched resource method: however a path is
 * spelled (encoded, doubled slashes, dot segments), the endpoint it reaches carries its own rule.
 */
public final class AdminTokenAuthentication {

    static final String REALM = "Bearer realm=\"courier-admin\"";

    private AdminTokenAuthentication() {}

    @ApplicationScoped
    static class Mechanism implements HttpAuthenticationMechanism {

        @Override
        public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
            String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Uni.createFrom().nullItem(); // anonymous: a protected endpoint answers 401
            }
            return identities.authenticate(
                    new TokenAuthenticationRequest(new TokenCredential(header.substring(7).trim(), "bearer")));
        }

        @Override
        public Uni<ChallengeData> getChallenge(RoutingContext context) {
            return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", REALM));
        }

        @Override
        public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
            return Set.of(TokenAuthenticationRequest.class);
        }
    }

    @ApplicationScoped
    static class Provider implements IdentityProvider<TokenAuthenticationRequest> {

        private final AdminTokens tokens;

        Provider(AdminTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public Class<TokenAuthenticationRequest> getRequestType() {
            return TokenAuthenticationRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request,
                AuthenticationRequestContext context) {
            return tokens.identify(request.getToken().getToken())
                    .map(caller -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal(caller.name()))
                            .addRoles(caller.role().grants())
                            .addAttribute(AdminRole.class.getName(), caller.role())
                            .build()))
                    .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException(tokens.none()
                            ? "the admin API is disabled: set COURIER_ADMIN_TOKEN or courier.admin.tokens.<name>.hash"
                            : "unknown admin token")));
        }
    }
}
