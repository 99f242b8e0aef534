package io.courier.ops;

import io.courier.job.JobType;
import io.courier.platform.AdminRole;
import io.courier.retry.ErrorClass;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The closed sets an operator filters by, from the enums themselves, so the /ops page and the CLI never drift. */
@Path("/admin/vocabulary")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AdminRole.VIEWER_NAME)
public class VocabularyResource {

    public record Vocabulary(List<String> jobTypes, List<String> errorClasses, List<String> deadLetterStates) {}

    @Operation(summary = "Job types, error classes and dead-letter states, for filters", description = "Role: viewer.")
    @APIResponse(responseCode = "200", description = "the vocabulary")
    @GET
    public Vocabulary get() {
        return new Vocabulary(Arrays.stream(JobType.values()).map(JobType::wireName).toList(),
                Arrays.stream(ErrorClass.values()).map(Enum::name).toList(),
                DeadLetterState.LISTED.stream().map(Enum::name).toList());
    }
}
