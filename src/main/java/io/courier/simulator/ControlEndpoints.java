package io.courier.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The simulator's control API under /sim (docs/SIMULATOR.md): members, faults, latency, quotas, clock, logs. */
final class ControlEndpoints {

    private final LinkedInSimulator sim;

    ControlEndpoints(LinkedInSimulator sim) {
        this.sim = sim;
    }

    void handle(Exchange ex) throws IOException {
        String route = ex.method + " " + ex.path;
        if (route.startsWith("POST /sim/members/") && route.endsWith("/revoke")) {
            sim.identities.revoke(ex.path.substring("/sim/members/".length(), ex.path.length() - "/revoke".length()));
            ex.send(204, null);
            return;
        }
        if (route.startsWith("PUT /sim/members/") && route.endsWith("/admin-of")) {
            // The member's pages change (a page admin removed them): the organizations they administer now.
            String id = ex.path.substring("/sim/members/".length(), ex.path.length() - "/admin-of".length());
            Identities.Member m = sim.identities.members.get(id);
            if (m == null) {
                ex.send(404, Map.of("error", "no member " + id));
                return;
            }
            sim.identities.members.put(id, new Identities.Member(m.id(), m.name(), m.email(), m.scopes(),
                    m.refreshEnabled(), List.copyOf(strings(ex.json().path("adminOf")))));
            ex.send(204, null);
            return;
        }
        if (route.startsWith("DELETE /sim/posts/")) {
            // The member deletes the post on LinkedIn: it answers 404, its content still a duplicate for a while.
            boolean deleted = sim.posts.delete(URLDecoder.decode(ex.path.substring("/sim/posts/".length()),
                    StandardCharsets.UTF_8));
            ex.send(deleted ? 204 : 404, null);
            return;
        }
        if (route.startsWith("PUT /sim/files/")) {
            sim.media.putFile(ex.path.substring("/sim/files/".length()), new Media.File(ex.body(),
                    Optional.ofNullable(ex.header("Content-Type")).orElse("application/octet-stream"),
                    ex.query.get("redirectTo")));
            ex.send(204, null);
            return;
        }
        switch (route) {
            case "POST /sim/members" -> newMember(ex);
            case "PUT /sim/media" -> {
                JsonNode body = ex.json();
                sim.media.processing = Duration.ofMillis(body.path("processingMs").asLong(0));
                sim.media.uploadUrlTtl = Duration.ofSeconds(body.path("uploadUrlTtlSeconds").asLong(3600));
                sim.media.failNext.set(body.path("failNext").asInt(0));
                sim.media.putDelay = Duration.ofMillis(body.path("putDelayMs").asLong(0));
                ex.send(200, sim.media.describe(sim.clock.now()));
            }
            case "GET /sim/media" -> ex.send(200, sim.media.describe(sim.clock.now()));
            case "PUT /sim/duplicates" -> {
                sim.posts.duplicatesByMedia = ex.json().path("byMedia").asBoolean(true);
                ex.send(204, null);
            }
            case "POST /sim/faults" -> addFault(ex);
            case "DELETE /sim/faults" -> {
                sim.faults.clear();
                ex.send(204, null);
            }
            case "PUT /sim/latency" -> {
                sim.latency = Duration.ofMillis(ex.json().path("ms").asLong(0));
                ex.send(204, null);
            }
            case "PUT /sim/quotas" -> setQuotas(ex);
            case "GET /sim/quotas" -> ex.send(200, sim.quotas.describe(sim.clock.now()));
            case "POST /sim/clock" -> {
                sim.clock.advance(Duration.ofSeconds(ex.json().path("advanceSeconds").asLong(0)));
                ex.send(200, Map.of("now", sim.clock.now().toString()));
            }
            case "GET /sim/clock" -> ex.send(200, Map.of("now", sim.clock.now().toString()));
            case "POST /sim/authorization/next" -> nextAuthorization(ex);
            case "POST /sim/tokens/revoke" ->
                ex.send(sim.identities.revokeAccess(ex.json().path("accessToken").asText("")) ? 204 : 404,
                        null);
            case "GET /sim/requests" ->
                ex.send(200, sim.requests(Integer.parseInt(ex.query.getOrDefault("limit", "100"))));
            case "DELETE /sim/requests" -> {
                sim.clearRequests();
                ex.send(204, null);
            }
            case "GET /sim/stats" -> ex.send(200, Map.of("calls", sim.calls, "posts", sim.posts.count(),
                    "maxConcurrent", sim.maxConcurrent.get()));
            case "PUT /sim/versions" -> {
                sim.inactiveVersions.clear();
                ex.json().path("inactive").forEach(v -> sim.inactiveVersions.add(v.asText()));
                ex.send(204, null);
            }
            case "PUT /sim/comments" -> {
                sim.comments.visibleAfter = Duration.ofMillis(ex.json().path("visibleAfterMillis").asLong(0));
                ex.send(204, null);
            }
            case "GET /sim/comments" -> ex.send(200, sim.comments.on(ex.query.getOrDefault("post", "")).stream()
                    .map(Comments.Comment::toJson).toList());
            case "GET /sim/posts" -> ex.send(200, sim.posts.byAuthor(ex.query.getOrDefault("author", ""))
                    .stream().map(Posts.Post::toJson).toList());
            case "POST /sim/reset" -> {
                sim.reset();
                ex.send(204, null);
            }
            case "GET /sim/health" -> ex.send(200, Map.of("status", "UP"));
            default -> ex.send(404, Map.of("error", "no control endpoint " + route));
        }
    }

    private void newMember(Exchange ex) throws IOException {
        JsonNode body = ex.json();
        Set<String> scopes = body.has("scopes") ? strings(body.get("scopes")) : new HashSet<>(Identities.ALL_SCOPES);
        Identities.Member m = sim.identities.addMember(Optional.ofNullable(body.path("memberId").textValue()),
                body.path("name").asText("John Doe"), body.path("email").asText("member@example.com"), scopes,
                body.path("refreshToken").asBoolean(true), new ArrayList<>(strings(body.path("adminOf"))));
        Identities.Issued issued = sim.identities.consent(m, scopes, sim.clock.now());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("memberId", m.id());
        out.put("memberUrn", m.urn());
        out.put("accessToken", issued.accessToken());
        out.put("accessTokenExpiresAt", issued.accessExpiresAt().toString());
        out.put("refreshToken", issued.refreshToken());
        out.put("refreshTokenExpiresAt",
                issued.refreshExpiresAt() == null ? null : issued.refreshExpiresAt().toString());
        out.put("scopes", List.copyOf(scopes));
        ex.send(201, out);
    }

    private void addFault(Exchange ex) throws IOException {
        JsonNode f = ex.json();
        Map<String, String> headers = new LinkedHashMap<>();
        f.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        String id = sim.faults.add(new Faults.Fault(UUID.randomUUID().toString(), f.path("method").textValue(),
                f.path("path").asText("/"), Faults.Mode.valueOf(f.path("mode").asText("status").toUpperCase()),
                f.path("status").asInt(500), f.path("body").textValue(), headers, f.path("times").asInt(1),
                f.path("latencyMs").asLong(0), f.path("percent").asInt(100), f.path("bodyBytes").asInt(0),
                f.path("sentBytes").asInt(0), f.path("refreshToken").textValue(), f.path("accessToken").textValue()));
        ex.send(201, Map.of("id", id));
    }

    private void setQuotas(Exchange ex) throws IOException {
        JsonNode body = ex.json();
        Map<String, Quotas.Limit> limits = new LinkedHashMap<>();
        body.path("resources").fields().forEachRemaining(e -> limits.put(e.getKey(),
                new Quotas.Limit(e.getValue().path("app").asLong(1_000_000),
                        e.getValue().path("member").asLong(100_000))));
        sim.quotas.configure(body.has("windowSeconds") ? Duration.ofSeconds(body.get("windowSeconds").asLong()) : null,
                limits);
        ex.send(200, sim.quotas.describe(sim.clock.now()));
    }

    private void nextAuthorization(Exchange ex) throws IOException {
        JsonNode body = ex.json();
        sim.oauth().next
                .set(new OAuthEndpoints.NextAuthorization(Optional.ofNullable(body.path("memberId").textValue()),
                        Optional.ofNullable(body.path("error").textValue()),
                        body.has("scopes") ? Optional.of(strings(body.get("scopes"))) : Optional.empty()));
        ex.send(204, null);
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
