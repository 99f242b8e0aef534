package io.courier.ops;

import static io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.courier.testkit.AdminCallers;
import io.courier.testkit.AdminCallers.Caller;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Operators are people: named tokens with roles, the audit in the token's name, written before the action and
 * finished after it, whatever the length of the name or reason.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class OperatorRolesTest extends PipelineTestSupport {

    @Inject
    DeadLetterStore store;

    @Test
    void aViewerReadsButIsRefusedOnReplayAndDiscard() throws Exception {
        String account = "roles-viewer-" + UUID.randomUUID();
        long id = indexedId(deadLetter(account));
        as(AdminCallers.VIEWER).get("/admin/dead-letters?accountId=" + account).then().statusCode(200)
                .body("items[0].id", equalTo((int) id));
        as(AdminCallers.VIEWER).get("/admin/dead-letters/audit").then().statusCode(200);
        as(AdminCallers.VIEWER).get("/admin/accounts?status=CONNECTED").then().statusCode(200);
        as(AdminCallers.VIEWER).get("/admin/whoami").then().statusCode(200)
                .body("name", equalTo("viewer-test")).body("role", equalTo("viewer"));

        as(AdminCallers.VIEWER).contentType("application/json")
                .body("""
                        {"filter":{"ids":[%s]},"dryRun":false}""".formatted(id)).post("/admin/dead-letters/replay")
                .then().statusCode(403).body("error", containsString("viewer-test"))
                .body("error", containsString("operator"));
        as(AdminCallers.VIEWER).contentType("application/json").body("""
                {"filter":{"ids":[%s]}}""".formatted(id))
                .post("/admin/dead-letters/discard").then().statusCode(403);
        assertThat(store.get(id).orElseThrow().state()).isEqualTo(DeadLetterState.NEW);
        assertThat(auditRowsFor(account)).as("a refused call acts on nothing and audits nothing").isEmpty();
    }

    @Test
    void aViewerReadsTheVocabularyTheOpsPageFiltersBy() {
        as(AdminCallers.VIEWER).get("/admin/vocabulary").then().statusCode(200)
                .body("jobTypes", org.hamcrest.Matchers.hasItems("post.create", "sync.org-acls"))
                .body("errorClasses", org.hamcrest.Matchers.hasItems("INVALID_JOB", "INTERNAL"))
                .body("deadLetterStates", org.hamcrest.Matchers.contains("NEW", "REPLAYED", "DISCARDED"));
        given().get("/admin/vocabulary").then().statusCode(401);
    }

    @Test
    void onlyAnAdminImportsTokensAndMintsConnectLinks() {
        String body = """
                {"accessToken":"AQX-roles","accessTokenExpiresAt":"2099-01-01T00:00:00Z"}""";
        String account = "roles-import-" + UUID.randomUUID();
        as(AdminCallers.VIEWER).contentType("application/json").body(body).put("/admin/accounts/{id}/tokens", account)
                .then().statusCode(403);
        as(AdminCallers.OPERATOR).contentType("application/json").body(body).put("/admin/accounts/{id}/tokens", account)
                .then().statusCode(403).body("error", containsString("needs role admin"));
        as(AdminCallers.VIEWER).get("/admin/accounts/{id}", account).then().statusCode(404);
        as(AdminCallers.ADMIN).contentType("application/json").body(body).put("/admin/accounts/{id}/tokens", account)
                .then().statusCode(200);
        as(AdminCallers.VIEWER).get("/admin/accounts/{id}", account).then().statusCode(200);

        as(AdminCallers.OPERATOR).post("/admin/accounts/{id}/connect-link", account).then().statusCode(403)
                .body("error", containsString("needs role admin"));
        as(AdminCallers.ADMIN).post("/admin/accounts/{id}/connect-link", account).then().statusCode(200)
                .body("url", containsString("/oauth/connect"));
    }

    @Test
    void anUnknownTokenOrNoneIsUnauthorized() {
        for (String path : List.of("/admin/dead-letters", "/admin/accounts", "/admin/whoami",
                "/admin/dead-letters/audit")) {
            given().get(path).then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
            given().auth().oauth2("not-a-token").get(path).then().statusCode(401).body("error",
                    equalTo("unknown admin token"));
            // The configured hash is not a token.
            given().auth().oauth2(AdminCallers.sha256(AdminCallers.VIEWER.token())).get(path).then().statusCode(401);
        }
        given().contentType("application/json").body("{}").post("/admin/dead-letters/replay").then().statusCode(401);
        given().header("X-Courier-Operator", "someone").contentType("application/json").body("{}")
                .post("/admin/dead-letters/replay").then().statusCode(401);
    }

    @Test
    void anOperatorWithA200CharacterNameReplaysAndTheAuditSaysSoStartedThenDone() throws Exception {
        assertThat(AdminCallers.LONG_NAMED_OPERATOR.name()).hasSize(200);
        String account = "roles-long-" + UUID.randomUUID();
        long id = indexedId(deadLetter(account));
        String reason = "r".repeat(1000);
        as(AdminCallers.LONG_NAMED_OPERATOR).header("X-Courier-Operator", "somebody-else")
                .contentType("application/json")
                .body("""
                        {"filter":{"accountId":"%s"},"dryRun":false,"reason":"%s"}""".formatted(account, reason))
                .post("/admin/dead-letters/replay").then().statusCode(200).body("replayed", equalTo(1));

        kafka.await("linkedin.jobs.sync", r -> KafkaTestClient.text(r).contains(account)
                && "1".equals(KafkaTestClient.header(r, "courier-replay-count")), 1, WAIT);
        assertThat(store.get(id).orElseThrow().state()).isEqualTo(DeadLetterState.REPLAYED);
        List<Map<String, Object>> rows = auditRowsFor(account);
        assertThat(rows).hasSize(1);
        Map<String, Object> row = rows.get(0);
        assertThat((String) row.get("operator")).as("the token's name, cut to the column")
                .isEqualTo(AdminCallers.LONG_NAMED_OPERATOR.name().substring(0, 128));
        assertThat((String) row.get("reason")).isEqualTo("r".repeat(256));
        assertThat(row.get("state")).isEqualTo("done");
        assertThat(row.get("replayed")).isEqualTo(1);
        assertThat(row.get("finished_at")).isNotNull();
    }

    @Test
    void theOldSingleAdminTokenStillWorksAndIsAuditedAsAdmin() throws Exception {
        String account = "roles-legacy-" + UUID.randomUUID();
        indexedId(deadLetter(account));
        given().auth().oauth2(ADMIN_TOKEN).get("/admin/whoami").then().statusCode(200)
                .body("name", equalTo("admin")).body("role", equalTo("admin"));
        given().auth().oauth2(ADMIN_TOKEN).contentType("application/json")
                .body("""
                        {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account))
                .post("/admin/dead-letters/discard")
                .then().statusCode(200).body("discarded", equalTo(1));
        assertThat(auditRowsFor(account)).singleElement().satisfies(row -> {
            assertThat(row.get("operator")).isEqualTo("admin");
            assertThat(row.get("action")).isEqualTo("DISCARD");
            assertThat(row.get("state")).isEqualTo("done");
        });
    }

    @Test
    void anActionThatFailsHalfWayLeavesAFailedAuditRow() throws Exception {
        String account = "roles-fail-" + UUID.randomUUID();
        long id = indexedId(deadLetter(account));
        // Marking this account's dead letters fails, after the record went back to its topic.
        sql("create or replace function roles_refuse_mark() returns trigger language plpgsql as $$ begin "
                + "if new.account_id = '" + account
                + "' then raise exception 'test: marking refused'; end if; return new; end $$;"
                + "create trigger roles_refuse_mark before update on dead_letter for each row execute function roles_refuse_mark()");
        try {
            as(AdminCallers.OPERATOR).contentType("application/json")
                    .body("""
                            {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account))
                    .post("/admin/dead-letters/replay")
                    .then().statusCode(500);
        } finally {
            sql("drop trigger roles_refuse_mark on dead_letter; drop function roles_refuse_mark()");
        }
        assertThat(store.get(id).orElseThrow().state()).isEqualTo(DeadLetterState.NEW);
        assertThat(auditRowsFor(account)).singleElement().satisfies(row -> {
            assertThat(row.get("operator")).isEqualTo("operator-test");
            assertThat(row.get("state")).isEqualTo("failed");
            assertThat((String) row.get("failure")).contains("marking");
            assertThat(row.get("finished_at")).isNotNull();
        });
    }

    @Test
    void anActionThatCannotBeAuditedDoesNotHappen() throws Exception {
        String account = "roles-noaudit-" + UUID.randomUUID();
        long id = indexedId(deadLetter(account));
        sql("create or replace function roles_refuse_audit() returns trigger language plpgsql as $$ begin "
                + "if new.filter like '%" + account
                + "%' then raise exception 'test: audit refused'; end if; return new; end $$;"
                + "create trigger roles_refuse_audit before insert on dead_letter_audit for each row execute function roles_refuse_audit()");
        try {
            as(AdminCallers.OPERATOR).contentType("application/json")
                    .body("""
                            {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account))
                    .post("/admin/dead-letters/replay")
                    .then().statusCode(500);
        } finally {
            sql("drop trigger roles_refuse_audit on dead_letter_audit; drop function roles_refuse_audit()");
        }
        assertThat(store.get(id).orElseThrow().state()).isEqualTo(DeadLetterState.NEW);
        assertThat(kafka.readAll("linkedin.jobs.sync", Duration.ofSeconds(2)).stream()
                .filter(r -> KafkaTestClient.text(r).contains(account)
                        && r.headers().lastHeader("courier-replay-count") != null))
                .as("nothing replayed").isEmpty();
    }

    private static RequestSpecification as(Caller caller) {
        return given().auth().oauth2(caller.token());
    }

    /** A job for an account Courier does not know: dead-lettered at once as INVALID_JOB. */
    private String deadLetter(String account) {
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.sync", account, job(jobId, "sync.profile", account, "{}"));
        return jobId;
    }

    private long indexedId(String jobId) {
        await().atMost(WAIT)
                .until(() -> store.list(DeadLetterFilter.parse(null, null, null, null, null, List.of(), null), 500)
                        .stream().anyMatch(d -> d.jobId().orElse("").equals(jobId)));
        return store.list(DeadLetterFilter.parse(null, null, null, null, null, List.of(), null), 500).stream()
                .filter(d -> d.jobId().orElse("").equals(jobId)).findFirst().orElseThrow().id();
    }

    /** The audit rows whose filter names this account, straight from the table. */
    private List<Map<String, Object>> auditRowsFor(String account) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "select operator, action, state, reason, replayed, discarded, finished_at, failure from dead_letter_audit "
                                + "where filter like ? order by id")) {
            select.setString(1, "%" + account + "%");
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                        row.put(r.getMetaData().getColumnName(i), r.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }
}
