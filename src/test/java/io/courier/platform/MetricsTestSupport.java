package io.courier.platform;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.auth.TokenStore;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.PipelineTestSupport;
import io.courier.testkit.SimulatorControl;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests of Courier's metrics share (MetricsContractTest, DashboardPreviewTest): where the Grafana dashboard
 * is, traffic that makes every outcome's metric move, and the metric names a PromQL query reads.
 */
abstract class MetricsTestSupport extends PipelineTestSupport {

    /** The Grafana dashboard; the only place the tests name its path. */
    static final Path DASHBOARD = Path.of("k8s/base/grafana/courier.json");
    /** PromQL's functions, aggregations and keywords: every other identifier outside braces is a metric name. */
    private static final Set<String> PROMQL = Set.of("sum", "min", "max", "avg", "count", "rate", "irate", "increase",
            "deriv", "delta", "histogram_quantile", "by", "without", "and", "or", "unless", "on", "ignoring",
            "group_left", "group_right", "topk", "bottomk", "clamp_min", "clamp_max", "abs", "time", "vector",
            "label_replace", "absent", "offset", "bool", "le", "avg_over_time", "max_over_time", "min_over_time");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Inject
    TokenStore tokens;

    /**
     * A success after a token refresh (an expired access token), a success after a retry (a 429), a dead letter (an
     * unknown account) and an account that needs re-authorization; about five seconds. Returns that account's id.
     */
    String everyOutcome() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault(SimulatorControl.EXPIRED_ACCESS_TOKEN_ON_POST);
        String post = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.post", account.accountId(), job(post, "post.create", account.accountId(), """
                {"author":"%s","commentary":"metrics %s"}""".formatted(account.memberUrn(), post)));
        assertThat(resultOf(post).get("status").asText()).isEqualTo("SUCCEEDED");
        simulator.fault("""
                {"method":"GET","path":"/v2/userinfo","status":429,"times":1}""");
        String sync = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.sync", account.accountId(), job(sync, "sync.profile", account.accountId(), "{}"));
        assertThat(resultOf(sync).get("status").asText()).isEqualTo("SUCCEEDED");
        String stranger = "metrics-stranger-" + UUID.randomUUID();
        String invalid = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.sync", stranger, job(invalid, "sync.profile", stranger, "{}"));
        assertThat(resultOf(invalid).get("status").asText()).isEqualTo("DEAD_LETTERED");
        Connected revoked = connect(simulator, "{}");
        tokens.markReauthRequired(revoked.accountId(), "test: revoked", Optional.of("REVOKED_ACCESS_TOKEN"));
        return revoked.accountId();
    }

    /** Identifiers of a PromQL query that are metric names: not inside {} () after by/without, [] or quotes. */
    static Set<String> metricNames(String query) {
        String bare = query.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "").replaceAll("(by|without|on|ignoring)\\s*\\([^)]*\\)", "")
                .replaceAll("\\$\\w+", "");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String token = m.group();
            if (!PROMQL.contains(token) && !token.matches("[0-9eE]+") && !token.matches("\\d+[smhdw]")) {
                names.add(token);
            }
        }
        return names;
    }
}
