package io.courier.cli;

import static io.courier.testkit.ConnectedAccounts.ADMIN_TOKEN;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.testkit.AdminCallers;
import io.courier.testkit.CourierServices;
import io.courier.testkit.PipelineTestSupport;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The dlq CLI against a running Courier: list, show, bulk replay guarded by a dry run, progress, discard. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class DlqCommandTest extends PipelineTestSupport {

    @Test
    void listShowReplayAndDiscardFromTheTerminal() {
        String account = "cli-" + UUID.randomUUID();
        for (int i = 0; i < 22; i++) {
            kafka.send("linkedin.jobs.sync", account,
                    job("cli-" + i + "-" + UUID.randomUUID(), "sync.profile", account, "{}"));
        }
        await().atMost(WAIT)
                .until(() -> cli("list", "--account", account, "--state", "NEW").out.contains("22 dead letter(s)"));

        Result list = cli("list", "--account", account);
        assertThat(list.code).isZero();
        assertThat(list.out).contains("INVALID_JOB").contains("sync.profile").contains("no connected account");
        String firstId = list.out.lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        Result show = cli("show", firstId);
        assertThat(show.out).contains("\"payload\"").contains(account)
                .contains("\"courier-error-class\" : \"INVALID_JOB\"");

        Result bulk = cli("replay", "--account", account);
        assertThat(bulk.out).contains("matched 22; would replay 22").contains("dry run only").contains("--yes");
        assertThat(cli("list", "--account", account, "--state", "NEW").out).contains("22 dead letter(s)");

        Result viewer = cliWith(AdminCallers.VIEWER.token(), "replay", "--account", account, "--limit", "1");
        assertThat(viewer.code).isEqualTo(1);
        assertThat(viewer.err).contains("courier answered 403").contains("needs role operator");

        Result replay = cliWith(AdminCallers.OPERATOR.token(), "replay", "--account", account, "--limit", "12", "--yes",
                "--reason", "cli test");
        assertThat(replay.code).isZero();
        assertThat(replay.out).contains("12/12 replayed").contains("replayed 12 of 12");
        assertThat(cli("list", "--account", account, "--state", "REPLAYED").out).contains("12 dead letter(s)");

        Result discard = cli("discard", "--account", account, "--job-type", "sync.profile", "--limit", "5");
        assertThat(discard.out).contains("discarded 5 of 5 matched");

        Result refused = cliWith("wrong-token", "list");
        assertThat(refused.code).isEqualTo(1);
        assertThat(refused.err).contains("courier answered 401");
        Result bad = cli("list", "--error-class", "NOPE");
        assertThat(bad.code).isEqualTo(1);
        assertThat(bad.err).contains("errorClass must be one of");
    }

    private record Result(int code, String out, String err) {}

    private static Result cli(String... args) {
        return cliWith(ADMIN_TOKEN, args);
    }

    private static Result cliWith(String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", "http://localhost:" + RestAssured.port, "--token", token));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DlqCommand.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
