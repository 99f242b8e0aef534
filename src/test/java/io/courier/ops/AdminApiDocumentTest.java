package io.courier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.auth.AccountListResource;
import io.courier.auth.AccountResource;
import io.courier.auth.TokenKeyResource;
import io.courier.platform.WhoAmIResource;
import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The admin API is described once, at /q/openapi: every admin operation there names its role (as its resource
 * method's @RolesAllowed says) and its errors, and the /ops console and the CLI call nothing it does not describe.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class AdminApiDocumentTest {

    private static final List<Class<?>> ADMIN_RESOURCES = List.of(DeadLetterResource.class, JobResource.class,
            PauseResource.class, OverviewResource.class,
            AccountResource.class, AccountListResource.class, TokenKeyResource.class, WhoAmIResource.class,
            VocabularyResource.class);
    /**
     * A call in ops.js ({@code api("GET", "/admin/…")}, a template literal too) or the CLI ({@code api.call("GET",
     * "/admin/…")}): its method and its path up to the query.
     */
    private static final Pattern CALL = Pattern
            .compile("api(?:\\.call)?\\(\"(GET|POST|PUT|DELETE)\",\\s*(?:\"([^\"?]*)|`([^`?]*))");

    private static JsonNode document() throws IOException {
        return new ObjectMapper()
                .readTree(RestAssured.given().queryParam("format", "json").get("/q/openapi").asString());
    }

    @Test
    void everyAdminOperationNamesItsRoleAndItsErrors() throws IOException {
        JsonNode doc = document();
        int checked = 0;
        for (Class<?> resource : ADMIN_RESOURCES) {
            for (Method method : resource.getDeclaredMethods()) {
                Optional<String> verb = Stream.of(method.getAnnotations())
                        .map(a -> a.annotationType().getAnnotation(HttpMethod.class)).filter(h -> h != null)
                        .map(HttpMethod::value).findFirst();
                if (verb.isEmpty()) {
                    continue;
                }
                String id = resource.getSimpleName() + "_" + method.getName();
                JsonNode op = operation(doc, id).orElseThrow(() -> new AssertionError("not in /q/openapi: " + id));
                String role = role(method, resource);
                assertThat(op.path("description").asText()).as(id).contains("Role: " + role + ".");
                assertThat(op.path("security").findValues("adminToken")).as(id + " security").isNotEmpty()
                        .allMatch(scopes -> scopes.toString().contains("\"" + role + "\""));
                JsonNode responses = op.path("responses");
                assertThat(responses.has("401") && responses.has("403")).as(id + ": 401 and 403").isTrue();
                List<String> codes = new ArrayList<>();
                responses.fieldNames().forEachRemaining(codes::add);
                assertThat(codes).as(id).anyMatch(c -> c.startsWith("2"));
                for (String code : codes) {
                    if (code.compareTo("400") >= 0 && !code.equals("401") && !code.equals("403")
                            && !code.equals("409")) {
                        assertThat(responses.path(code).toString()).as(id + " " + code + " has the error's shape")
                                .contains("#/components/schemas/Body");
                    }
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(15);
        assertThat(doc.path("components").path("securitySchemes").path("adminToken").path("scheme").asText())
                .isEqualTo("bearer");
    }

    @Test
    void theConsoleAndTheCliCallOnlyWhatTheDocumentDescribes() throws IOException {
        JsonNode doc = document();
        // Each described route with its parameters filled in: "/admin/jobs/{accountId}/{jobId}" → "/admin/jobs/P/P".
        List<String> described = new ArrayList<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(
                verb -> described.add(verb.toUpperCase() + " " + path.getKey().replaceAll("\\{[^}]+}", "P"))));
        List<Path> callers = new ArrayList<>(List.of(Path.of("src/main/resources/META-INF/resources/ops/ops.js")));
        try (Stream<Path> cli = Files.list(Path.of("src/main/java/io/courier/cli"))) {
            cli.forEach(callers::add);
        }
        TreeSet<String> calls = new TreeSet<>();
        TreeSet<String> undescribed = new TreeSet<>();
        for (Path caller : callers) {
            Matcher m = CALL.matcher(Files.readString(caller));
            while (m.find()) {
                String call = m.group(1) + " " + (m.group(2) != null ? m.group(2) : m.group(3));
                calls.add(call);
                Pattern route = routeOf(call);
                if (described.stream().noneMatch(d -> route.matcher(d).matches())) {
                    undescribed.add(call + " (" + caller.getFileName() + ")");
                }
            }
        }
        assertThat(calls).as("calls found in ops.js and the CLI").hasSizeGreaterThanOrEqualTo(10);
        assertThat(undescribed).as("calls to routes /q/openapi does not describe").isEmpty();
    }

    /**
     * A call's path as a pattern: each ${…} of a template literal, and what a literal ending in "/" is joined with
     * ("/a/" + id), stands for one path segment.
     */
    static Pattern routeOf(String call) {
        String path = call.endsWith("/") ? call + "${}" : call;
        StringBuilder regex = new StringBuilder();
        for (String part : path.split("\\$\\{[^}]*}", -1)) {
            if (!regex.isEmpty() || path.startsWith("${")) {
                regex.append("[^/]+");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static Optional<JsonNode> operation(JsonNode doc, String id) {
        return doc.path("paths").findParents("operationId").stream()
                .filter(op -> op.path("operationId").asText().equals(id)).findFirst();
    }

    private static String role(Method method, Class<?> resource) {
        Annotation roles = Optional.<Annotation>ofNullable(method.getAnnotation(RolesAllowed.class))
                .orElse(resource.getAnnotation(RolesAllowed.class));
        assertThat(roles).as(resource.getSimpleName() + "." + method.getName() + " has @RolesAllowed").isNotNull();
        return ((RolesAllowed) roles).value()[0];
    }
}
