package io.courier.ops;

import io.courier.job.JobType;
import io.courier.job.Pauses;
import io.courier.job.Pauses.Scope;
import io.courier.platform.AdminRole;
import io.courier.platform.ApiError;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Pause and resume an account or a job type (CONTRACT §5): its jobs wait in the retry tiers, nothing is dropped, and
 * every pod sees it within courier.worker.pause-refresh. Each action is one audit row, in the token's name; both
 * are idempotent (changed says whether this call changed anything).
 */
@Path("/admin/pauses")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AdminRole.OPERATOR_NAME)
public class PauseResource {

    private final Pauses pauses;
    private final AuditTrail audit;
    private final SecurityIdentity caller;

    PauseResource(Pauses pauses, AuditTrail audit, SecurityIdentity caller) {
        this.pauses = pauses;
        this.audit = audit;
        this.caller = caller;
    }

    @Operation(summary = "The paused accounts and job types, with who paused them and when", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "[{scope, value, pausedAt, pausedBy}], oldest first")
    @GET
    @RolesAllowed(AdminRole.VIEWER_NAME)
    public List<Pauses.Pause> list() {
        return pauses.list();
    }

    @Operation(summary = "Pauses an account: its jobs wait until it is resumed", description = "Role: operator.")
    @APIResponse(responseCode = "200", description = "{scope, value, paused: true, changed}")
    @APIResponse(responseCode = "400", description = "accountId is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @PUT
    @Path("/accounts/{accountId}")
    public Response pauseAccount(@PathParam("accountId") String accountId) {
        return account(accountId).orElseGet(() -> change(Scope.ACCOUNT, accountId, true));
    }

    @Operation(summary = "Resumes an account: its waiting jobs run at their next look", description = "Role: operator.")
    @APIResponse(responseCode = "200", description = "{scope, value, paused: false, changed}")
    @APIResponse(responseCode = "400", description = "accountId is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @DELETE
    @Path("/accounts/{accountId}")
    public Response resumeAccount(@PathParam("accountId") String accountId) {
        return account(accountId).orElseGet(() -> change(Scope.ACCOUNT, accountId, false));
    }

    @Operation(summary = "Pauses a job type on every account", description = "Role: operator.")
    @APIResponse(responseCode = "200", description = "{scope, value, paused: true, changed}")
    @APIResponse(responseCode = "400", description = "not a job type", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @PUT
    @Path("/job-types/{jobType}")
    public Response pauseType(@PathParam("jobType") String jobType) {
        return type(jobType).orElseGet(() -> change(Scope.JOB_TYPE, jobType, true));
    }

    @Operation(summary = "Resumes a job type", description = "Role: operator.")
    @APIResponse(responseCode = "200", description = "{scope, value, paused: false, changed}")
    @APIResponse(responseCode = "400", description = "not a job type", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @DELETE
    @Path("/job-types/{jobType}")
    public Response resumeType(@PathParam("jobType") String jobType) {
        return type(jobType).orElseGet(() -> change(Scope.JOB_TYPE, jobType, false));
    }

    private Response change(Scope scope, String value, boolean pause) {
        Requester by = new Requester(caller.getPrincipal().getName(), Optional.empty());
        boolean changed = audit.record(by, pause ? AuditTrail.Action.PAUSE : AuditTrail.Action.RESUME,
                scope.column + "=" + value,
                () -> pause ? pauses.pause(scope, value, by.name()) : pauses.resume(scope, value));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scope", scope.column);
        out.put("value", value);
        out.put("paused", pause);
        out.put("changed", changed);
        return Response.ok(out).build();
    }

    private static Optional<Response> account(String accountId) {
        return JobResource.ACCOUNT_ID.matcher(accountId).matches()
                ? Optional.empty()
                : Optional.of(JobResource.invalidAccountId());
    }

    private static Optional<Response> type(String jobType) {
        return JobType.fromWireName(jobType).isPresent()
                ? Optional.empty()
                : Optional.of(ApiError.badRequest("jobType", "jobType must be one of "
                        + Arrays.stream(JobType.values()).map(JobType::wireName).toList()));
    }
}
