package io.courier.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.platform.AdminRole;
import io.courier.platform.ApiError;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The dead-letter API (CONTRACT §5): viewers read, operators replay and discard, in their token's name. */
@Path("/admin/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AdminRole.VIEWER_NAME)
public class DeadLetterResource {

    static final int MAX_LIMIT = 10_000;

    private final DeadLetterStore store;
    private final Replayer replayer;
    private final DeadLetterConfig config;
    private final AuditTrail audit;
    private final SecurityIdentity caller;

    DeadLetterResource(DeadLetterStore store, Replayer replayer, DeadLetterConfig config, AuditTrail audit,
            SecurityIdentity caller) {
        this.store = store;
        this.replayer = replayer;
        this.config = config;
        this.audit = audit;
        this.caller = caller;
    }

    @Operation(summary = "Indexed dead letters matching a filter", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "{count, items}: newest first, without their values")
    @APIResponse(responseCode = "400", description = "a filter value that is not valid (field names it)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @GET
    public Response list(@QueryParam("errorClass") String errorClass, @QueryParam("accountId") String accountId,
            @QueryParam("jobType") String jobType, @QueryParam("since") String since,
            @QueryParam("until") String until, @QueryParam("ids") List<String> ids,
            @QueryParam("state") String state, @QueryParam("limit") @DefaultValue("100") String limit) {
        return okOrBadRequest("limit", () -> {
            var filter = DeadLetterFilter.parse(errorClass, accountId, jobType, since, until, ids, state);
            var items = store.list(filter, limit(limit));
            return Map.of("count", items.size(), "items", items.stream().map(d -> view(d, false)).toList());
        });
    }

    @Operation(summary = "One dead letter, with its value and headers", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "the dead letter")
    @APIResponse(responseCode = "400", description = "the id is not a number", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @APIResponse(responseCode = "404", description = "no dead letter has that id", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @GET
    @Path("/{id}")
    public Response one(@PathParam("id") String id) {
        long number;
        try {
            number = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return ApiError.badRequest("id", "id must be a number, got '" + id + "'");
        }
        return store.get(number).map(d -> Response.ok(view(d, true)).build())
                .orElseGet(() -> ApiError.notFound("id", "no dead letter " + id));
    }

    @Operation(summary = "Counts by class and account, per hour over 7 days, and the replay limits", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "the summary")
    @GET
    @Path("/summary")
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>(store.summary());
        out.put("retention", config.retention().toString());
        out.put("retentionRule",
                "replayed or discarded dead letters are deleted after the retention; new ones are kept");
        out.put("maxReplays", config.maxReplays());
        out.put("replayRatePerSecond", config.replayRate());
        out.put("replayBudgetShare", config.replayBudgetShare());
        return out;
    }

    @Operation(summary = "The latest replays, discards and cancels, with who asked", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "audit rows, newest first")
    @GET
    @Path("/audit")
    public List<Map<String, Object>> audit(@QueryParam("limit") @DefaultValue("50") int limit) {
        return audit.latest(Math.max(1, Math.min(limit, 1000)));
    }

    /** {"filter":{…},"limit":N,"dryRun":true,"force":false,"reason":"…"}; dryRun defaults to true. */
    @Operation(summary = "Replays dead letters to their job topics (paced, within the budgets); dryRun reports only", description = "Role: operator.")
    @APIResponse(responseCode = "200", description = "what was (or would be) replayed, refused, deferred and not sent")
    @APIResponse(responseCode = "400", description = "a body or filter value that is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @POST
    @Path("/replay")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_NAME)
    public Response replay(JsonNode body) {
        return okOrBadRequest("body", () -> {
            Request request = Request.of(body);
            return replayer.replay(request.filter, request.limit, request.flag("dryRun", true),
                    request.flag("force", false), requester(request));
        });
    }

    /** {"filter":{…},"limit":N,"reason":"…"}: marks them handled without replaying. */
    @Operation(summary = "Marks dead letters as discarded: they are no longer offered for replay", description = "Role: operator.")
    @APIResponse(responseCode = "200", description = "the discarded ids")
    @APIResponse(responseCode = "400", description = "a body or filter value that is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @POST
    @Path("/discard")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_NAME)
    public Response discard(JsonNode body) {
        return okOrBadRequest("body", () -> {
            Request request = Request.of(body);
            return replayer.discard(request.filter, request.limit, requester(request));
        });
    }

    /**
     * 200 with what {@code answer} returns, or a 400 naming what was wrong: the filter's field for a bad filter,
     * otherwise {@code field} (the limit, or the request body).
     */
    private static Response okOrBadRequest(String field, Supplier<Object> answer) {
        try {
            return Response.ok(answer.get()).build();
        } catch (DeadLetterFilter.BadFilter e) {
            return ApiError.badRequest(e.field, e.getMessage());
        } catch (IllegalArgumentException e) {
            return ApiError.badRequest(field, e.getMessage());
        }
    }

    /** The audit names the token's configured name (AdminTokens), never something the request says about itself. */
    private Requester requester(Request request) {
        return new Requester(caller.getPrincipal().getName(), request.reason());
    }

    private record Request(DeadLetterFilter filter, int limit, JsonNode body) {
        static Request of(JsonNode body) {
            if (body == null || !body.isObject()) {
                throw new IllegalArgumentException(
                        "expected a JSON object: {\"filter\":{…},\"limit\":N,\"dryRun\":true}");
            }
            JsonNode f = body.path("filter");
            List<String> ids = new ArrayList<>();
            f.path("ids").forEach(id -> ids.add(id.asText()));
            DeadLetterFilter filter = DeadLetterFilter.parse(text(f, "errorClass"), text(f, "accountId"),
                    text(f, "jobType"),
                    text(f, "since"), text(f, "until"), ids, null);
            return new Request(filter, DeadLetterResource.limit(body.has("limit") ? body.get("limit").asText() : "100"),
                    body);
        }

        /** Why, in the operator's words; AuditTrail cuts it to its column, so no reason is too long. */
        Optional<String> reason() {
            return Optional.ofNullable(text(body, "reason")).filter(r -> !r.isBlank());
        }

        boolean flag(String name, boolean otherwise) {
            return body.has(name) ? body.get(name).asBoolean(otherwise) : otherwise;
        }

        private static String text(JsonNode node, String field) {
            return node.hasNonNull(field) ? node.get(field).asText() : null;
        }
    }

    private static int limit(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 1 || n > MAX_LIMIT) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "limit must be a number from 1 to " + MAX_LIMIT + ", got '" + value + "'");
        }
    }

    /** A dead letter as JSON; with the original record when asked (value as text when it is UTF-8). */
    static Map<String, Object> view(StoredDeadLetter d, boolean withRecord) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", d.id());
        out.put("state", d.state().name());
        out.put("errorClass", d.errorClass());
        out.put("message", d.message());
        out.put("jobId", d.jobId().orElse(null));
        out.put("jobType", d.jobType().orElse(null));
        out.put("accountId", d.accountId().orElse(null));
        out.put("httpStatus", d.httpStatus().orElse(null));
        out.put("linkedinCode", d.linkedinCode().orElse(null));
        out.put("serviceErrorCode", d.serviceErrorCode().orElse(null));
        out.put("linkedinRequestId", d.linkedinRequestId().orElse(null));
        out.put("attempts", d.attempts());
        out.put("replayCount", d.replayCount());
        out.put("firstFailureAt", d.firstFailureAt().map(Object::toString).orElse(null));
        out.put("lastFailureAt", d.lastFailureAt().map(Object::toString).orElse(null));
        out.put("deadAt", d.deadAt().toString());
        out.put("handledAt", d.handledAt().map(Object::toString).orElse(null));
        out.put("original", Map.of("topic", d.originalTopic(), "partition", d.originalPartition().orElse(-1),
                "offset", d.originalOffset().orElse(-1L)));
        out.put("dlq", Map.of("partition", d.dlqPartition(), "offset", d.dlqOffset()));
        d.indexError().ifPresent(e -> out.put("indexError", e)); // a degraded row: why it is not indexed in full
        d.record().filter(r -> withRecord).ifPresent(r -> {
            out.put("key", r.key().orElse(null));
            out.put("payload", text(r.value()));
            Map<String, String> headers = new LinkedHashMap<>();
            r.headers().forEach(h -> headers.put(h.key(), text(h.value())));
            out.put("headers", headers);
        });
        return out;
    }

    private static String text(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
