package io.courier.tracing;

import static io.courier.testkit.ConnectedAccounts.connect;
import static io.courier.testkit.ConnectedAccounts.job;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.retry.CourierHeaders;
import io.courier.testkit.AdminCallers;
import io.courier.testkit.ConnectedAccounts.Connected;
import io.courier.testkit.CourierServices;
import io.courier.testkit.KafkaTestClient;
import io.courier.testkit.PipelineTestSupport;
import io.courier.testkit.RecentSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * One trace per job: the producer's traceparent is the parent of every run of the job, through its retries, each run
 * linked to the one that sent it; each record Courier writes carries exactly one traceparent and the origin; a
 * replayed dead letter starts a new trace linked to the dead letter's. Spans read from the test's exporter.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class JobTracingTest extends PipelineTestSupport {

    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("courier.attempt");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    @Inject
    RecentSpans spans;

    @Test
    void aJobsRunsThroughTwoRetriesAreOneTraceFromThePublishToTheResult() throws Exception {
        Connected account = connect(simulator, "{}");
        simulator.fault("""
                {"method":"POST","path":"/rest/posts","status":429,"times":2}""");
        String traceId = hex(16);
        String producerSpan = hex(8);
        String traceparent = "00-" + traceId + "-" + producerSpan + "-01";
        String jobId = UUID.randomUUID().toString();
        String job = job(jobId, "post.create", account.accountId(), """
                {"author":"%s","commentary":"traced %s"}""".formatted(account.memberUrn(), jobId));
        ProducerRecord<String, byte[]> published = new ProducerRecord<>("linkedin.jobs.post", account.accountId(),
                job.getBytes(StandardCharsets.UTF_8));
        published.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        kafka.send(published);

        JsonNode result = resultOf(jobId);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("attempts").asInt()).isEqualTo(3);

        List<ConsumerRecord<String, byte[]>> retries = kafka.await(List.of("linkedin.jobs.retry.1s",
                "linkedin.jobs.retry.5s", "linkedin.jobs.retry.30s"),
                r -> jobId.equals(KafkaTestClient.header(r, CourierHeaders.JOB_ID)), 2, WAIT);
        for (ConsumerRecord<String, byte[]> retry : retries) {
            assertThat(values(retry, "traceparent")).as("exactly one traceparent on %s", retry.topic()).hasSize(1)
                    .allMatch(v -> v.startsWith("00-" + traceId + "-"));
            assertThat(values(retry, CourierHeaders.ORIGIN_TRACEPARENT)).containsExactly(traceparent);
        }
        ConsumerRecord<String, byte[]> resultRecord = kafka.await("linkedin.jobs.results",
                r -> KafkaTestClient.text(r).contains(jobId), 1, WAIT).get(0);
        assertThat(values(resultRecord, "traceparent")).hasSize(1).allMatch(v -> v.contains(traceId));

        await().atMost(WAIT).until(() -> runs(traceId).stream().anyMatch(s -> "linkedin.jobs.results"
                .equals(s.getAttributes().get(AttributeKey.stringKey("courier.output.topic")))));
        List<SpanData> runs = runs(traceId);
        // Attempts 1, 2 and 3, and maybe runs between them that only waited (the member's 429 cooldown, no call).
        assertThat(runs).extracting(s -> s.getAttributes().get(ATTEMPT)).contains(1L, 2L, 3L).containsOnlyOnce(1L)
                .allMatch(a -> a <= 3);
        assertThat(runs).as("every run is a child of the producer's span").allMatch(
                s -> s.getParentSpanId().equals(producerSpan));
        Set<String> sends = spans.ofTrace(traceId).stream().filter(s -> s.getKind() == SpanKind.PRODUCER)
                .map(SpanData::getSpanId).collect(Collectors.toSet());
        for (SpanData run : runs) {
            assertThat(run.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("kafka");
            assertThat(run.getAttributes().get(AttributeKey.stringKey("courier.job.type"))).isEqualTo("post.create");
            assertThat(run.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name"))).isNotBlank();
            assertThat(run.getAttributes().get(AttributeKey.stringKey("courier.account.hash")))
                    .matches("[0-9a-f]{16}").isNotEqualTo(account.accountId());
            if (run.getAttributes().get(ATTEMPT) == 1L) {
                assertThat(run.getLinks()).isEmpty();
                assertThat(run.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
                        .isEqualTo("linkedin.jobs.post");
            } else {
                assertThat(run.getLinks()).as("a retry's run links the send of the run before it")
                        .extracting(l -> l.getSpanContext().getSpanId()).hasSize(1).allMatch(sends::contains);
                assertThat(run.getAttributes().get(AttributeKey.stringKey("courier.error_class")))
                        .isIn(null, "RATE_LIMITED");
            }
        }
        assertThat(clientSpans(traceId)).extracting(s -> s.getAttributes().get(STATUS))
                .containsExactlyInAnyOrder(429L, 429L, 201L);
        assertThat(clientSpans(traceId)).allMatch(s -> s.getAttributes()
                .get(AttributeKey.stringArrayKey("http.response.header.x-li-uuid")) != null);
        assertThat(spans.ofTrace(traceId)).extracting(SpanData::getName)
                .contains("validate", "look up", "budget debit");
    }

    @Test
    void aReplayedDeadLetterStartsANewTraceLinkedToTheOriginal() {
        String account = "traced-stranger-" + UUID.randomUUID();
        String jobId = UUID.randomUUID().toString();
        kafka.send("linkedin.jobs.sync", account, job(jobId, "sync.profile", account, "{}"));
        ConsumerRecord<String, byte[]> dead = kafka.await("linkedin.jobs.dlq",
                r -> jobId.equals(KafkaTestClient.header(r, CourierHeaders.JOB_ID)), 1, WAIT).get(0);
        List<String> deadParent = values(dead, "traceparent");
        assertThat(deadParent).hasSize(1);
        String firstTrace = deadParent.get(0).split("-")[1];
        String deadSendSpan = deadParent.get(0).split("-")[2];
        assertThat(values(dead, CourierHeaders.ORIGIN_TRACEPARENT)).hasSize(1);

        await().atMost(WAIT).until(() -> given().auth().oauth2(AdminCallers.OPERATOR.token())
                .get("/admin/dead-letters?accountId=" + account).then().extract().jsonPath()
                .getList("items").size() == 1);
        given().auth().oauth2(AdminCallers.OPERATOR.token()).contentType("application/json").body("""
                {"filter":{"accountId":"%s"},"dryRun":false}""".formatted(account))
                .post("/admin/dead-letters/replay").then().statusCode(200);

        List<ConsumerRecord<String, byte[]>> again = kafka.await("linkedin.jobs.dlq",
                r -> jobId.equals(KafkaTestClient.header(r, CourierHeaders.JOB_ID)), 2, WAIT);
        String secondTrace = values(again.get(1), "traceparent").get(0).split("-")[1];
        assertThat(secondTrace).as("a replay is a new trace").isNotEqualTo(firstTrace);

        await().atMost(WAIT).until(() -> !runs(secondTrace).isEmpty());
        SpanData replaySend = spans.ofTrace(secondTrace).stream()
                .filter(s -> s.getKind() == SpanKind.PRODUCER && s.getParentSpanId().equals("0000000000000000"))
                .findFirst().orElseThrow();
        assertThat(replaySend.getLinks()).extracting(LinkData::getSpanContext)
                .anyMatch(c -> c.getTraceId().equals(firstTrace) && c.getSpanId().equals(deadSendSpan));
        assertThat(runs(secondTrace).get(0).getParentSpanId()).isEqualTo(replaySend.getSpanId());
    }

    @Test
    void hostileTraceHeadersAreNotCarriedOn() throws Exception {
        Connected account = connect(simulator, "{}");
        String jobId = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> published = new ProducerRecord<>("linkedin.jobs.sync", account.accountId(),
                job(jobId, "sync.profile", account.accountId(), "{}").getBytes(StandardCharsets.UTF_8));
        String traceId = hex(16);
        // A later version with 50,000 characters after it, and a tracestate of 30 long entries (16 KB): OTel's parser
        // takes both.
        published.headers().add(CourierHeaders.ORIGIN_TRACEPARENT, ("01-" + traceId + "-" + hex(8) + "-01-"
                + "x".repeat(50_000)).getBytes(StandardCharsets.UTF_8));
        published.headers().add("traceparent", ("00-" + traceId + "-" + hex(8) + "-01")
                .getBytes(StandardCharsets.UTF_8));
        published.headers().add("tracestate", java.util.stream.IntStream.range(0, 30)
                .mapToObj(i -> "k" + i + "=" + "v".repeat(250)).collect(Collectors.joining(","))
                .getBytes(StandardCharsets.UTF_8));
        kafka.send(published);

        assertThat(resultOf(jobId).get("status").asText()).isEqualTo("SUCCEEDED");
        ConsumerRecord<String, byte[]> result = kafka.await("linkedin.jobs.results",
                r -> KafkaTestClient.text(r).contains(jobId), 1, WAIT).get(0);
        assertThat(values(result, CourierHeaders.ORIGIN_TRACEPARENT)).hasSize(1)
                .allMatch(v -> v.length() == 55 && v.contains(traceId));
        assertThat(values(result, "traceparent")).hasSize(1).allMatch(v -> v.length() == 55);
        assertThat(values(result, "tracestate")).allMatch(v -> v.length() <= 512);
    }

    private List<SpanData> runs(String traceId) {
        return spans.ofTrace(traceId).stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
    }

    private List<SpanData> clientSpans(String traceId) {
        return spans.ofTrace(traceId).stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    }

    private static List<String> values(ConsumerRecord<String, byte[]> record, String key) {
        return StreamSupport.stream(record.headers().headers(key).spliterator(), false)
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).toList();
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zeros (an invalid id)
        return HexFormat.of().formatHex(b);
    }
}
