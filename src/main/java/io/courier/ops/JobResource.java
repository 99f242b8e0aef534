package io.courier.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.job.JobControl;
import io.courier.job.TopicsConfig;
import io.courier.platform.AdminRole;
import io.courier.platform.ApiError;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Jobs by account and id (CONTRACT §5): an operator cancels one that has not run yet, in the token's name. */
@Path("/admin/jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AdminRole.OPERATOR_NAME)
public class JobResource {

    // The schema's rules for the two ids (job.schema.json), so that a cancel names only a job that can exist.
    static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    /** The answer to an accountId that does not match {@link #ACCOUNT_ID}, for every admin route that takes one. */
    static Response invalidAccountId() {
        return ApiError.badRequest("accountId", "accountId must be 1-128 of A-Z a-z 0-9 . _ : @ -");
    }
    private static final Pattern JOB_ID = Pattern.compile("[^\\x00-\\x1F\\x7F]{1,128}");

    private final JobControl control;
    private final AuditTrail audit;
    private final KafkaProducer<String, byte[]> producer;
    private final TopicsConfig topics;
    private final ObjectMapper json;
    private final SecurityIdentity caller;
    private final JobHistory history;

    JobResource(JobControl control, AuditTrail audit, KafkaProducer<String, byte[]> producer, TopicsConfig topics,
            ObjectMapper json, SecurityIdentity caller, JobHistory history) {
        this.history = history;
        this.control = control;
        this.audit = audit;
        this.producer = producer;
        this.topics = topics;
        this.json = json;
        this.caller = caller;
    }

    @Operation(summary = "An account's latest outcomes and the jobs that wait (in its lanes or parked)", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "{finished, waiting, parked}, newest first, at most 50 each")
    @APIResponse(responseCode = "400", description = "accountId is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @GET
    @RolesAllowed(AdminRole.VIEWER_NAME)
    public Response recent(@QueryParam("accountId") String accountId) {
        if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
            return invalidAccountId();
        }
        return Response.ok(history.recent(accountId)).build();
    }

    @Operation(summary = "What Courier knows of one job: outcome, dead letters (class, attempts), where it waits", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "{outcome, deadLetters, waiting, parked}")
    @APIResponse(responseCode = "400", description = "accountId or jobId is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @APIResponse(responseCode = "404", description = "nothing is known of that job (it may not have been read yet)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @GET
    @Path("/{accountId}/{jobId}")
    @RolesAllowed(AdminRole.VIEWER_NAME)
    public Response job(@PathParam("accountId") String accountId, @PathParam("jobId") String jobId) {
        if (!ACCOUNT_ID.matcher(accountId).matches()) {
            return invalidAccountId();
        }
        if (!JOB_ID.matcher(jobId).matches()) {
            return ApiError.badRequest("jobId", "jobId must be 1-128 printable characters");
        }
        var known = history.of(accountId, jobId);
        return known.isEmpty()
                ? ApiError.notFound("jobId", "nothing is known of job " + jobId + " of " + accountId)
                : Response.ok(known).build();
    }

    /**
     * 200 with the CANCELLED result (also published on the results topic) when the job had not run, wherever it
     * waits; 409 with its result when it had. A cancel can be repeated: a cancelled job answers 200 again and its
     * result is published again (which is how a cancel whose publishing failed is finished).
     */
    @Operation(summary = "Cancels a job that has not run, wherever it waits", description = "Role: operator.")
    @APIResponse(responseCode = "200", description = "the CANCELLED result, also published on the results topic")
    @APIResponse(responseCode = "400", description = "accountId or jobId is not valid", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @APIResponse(responseCode = "409", description = "the job already ran: its result")
    @APIResponse(responseCode = "503", description = "cancelled, but the result could not be published: repeat the cancel", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.Body.class)))
    @POST
    @Path("/{accountId}/{jobId}/cancel")
    public Response cancel(@PathParam("accountId") String accountId, @PathParam("jobId") String jobId)
            throws IOException {
        if (!ACCOUNT_ID.matcher(accountId).matches()) {
            return invalidAccountId();
        }
        if (!JOB_ID.matcher(jobId).matches()) {
            return ApiError.badRequest("jobId", "jobId must be 1-128 printable characters");
        }
        Requester by = new Requester(caller.getPrincipal().getName(), Optional.empty());
        JobControl.CancelAnswer answer = audit.record(by, AuditTrail.Action.CANCEL,
                "accountId=" + accountId + " jobId=" + jobId, () -> control.cancel(accountId, jobId));
        JsonNode result = json.readTree(answer.resultJson());
        if (!answer.cancelled()) {
            return Response.status(Response.Status.CONFLICT).entity(result).build();
        }
        try {
            producer.send(new ProducerRecord<>(topics.results(), accountId,
                    answer.resultJson().getBytes(StandardCharsets.UTF_8))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notPublished(e);
        } catch (ExecutionException e) {
            return notPublished(e.getCause());
        }
        return Response.ok(result).build();
    }

    /** The cancel holds (PostgreSQL has it); only its result event is missing, which a repeated cancel sends. */
    private static Response notPublished(Throwable cause) {
        return ApiError.of(Response.Status.SERVICE_UNAVAILABLE, null, "the job is cancelled, but its result could not"
                + " be published (" + cause.getMessage() + "); repeat the cancel to publish it");
    }
}
