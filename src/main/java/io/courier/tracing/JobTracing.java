package io.courier.tracing;

import io.courier.platform.Outputs;
import io.courier.retry.CourierHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.MDC;

/**
 * One trace per job, across its retries, parking and dead letter; a replay starts a new one linked to it.
 *
 * <p>Quarkus traces the Kafka clients SmallRye creates; Courier's are its own, so the spans are made here. A job
 * record's run is a CONSUMER span whose parent is where the job's trace began ({@code courier-origin-traceparent},
 * else the record's {@code traceparent}: the producer's), linked to the span that sent this record (the previous
 * run's send), so every run of a job is a sibling in one trace instead of a chain that grows with each retry. Each
 * output gets a PRODUCER span and exactly one {@code traceparent} (replaced, never added) plus the origin.
 * The W3C propagator is used directly: with tracing off (no OTLP endpoint) spans are not recorded, and a record
 * still carries on the trace context it came with.
 */
@ApplicationScoped
public class JobTracing {

    public static final AttributeKey<String> JOB_TYPE = AttributeKey.stringKey("courier.job.type");
    public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("courier.job.id");
    public static final AttributeKey<String> ACCOUNT_HASH = AttributeKey.stringKey("courier.account.hash");
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("courier.attempt");
    public static final AttributeKey<String> ERROR_CLASS = AttributeKey.stringKey("courier.error_class");
    public static final AttributeKey<String> OUTCOME_TOPIC = AttributeKey.stringKey("courier.output.topic");
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    private static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    private static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    /** W3C trace context's limit for tracestate; RecordLimit.TRACE_HEADER_ROOM counts on it. */
    private static final int MAX_TRACESTATE = 512;
    /** Span attributes from headers a producer can set are cut here. */
    private static final int MAX_ATTRIBUTE = 128;
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    /** Reads the origin header as if it were the traceparent. */
    private static final TextMapGetter<Headers> ORIGIN = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return java.util.List.of(TRACEPARENT);
        }

        @Override
        public String get(Headers headers, String key) {
            return TRACEPARENT.equals(key)
                    ? KafkaHeaderCarrier.INSTANCE.get(headers, CourierHeaders.ORIGIN_TRACEPARENT)
                    : null;
        }
    };

    private final Tracer tracer;

    @jakarta.inject.Inject
    JobTracing(Tracer tracer, io.courier.auth.AuthConfig auth) {
        this(tracer);
        AccountHash.keyedBy(auth.tokenKey());
    }

    private JobTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** For parts built by hand in tests: spans are not recorded, headers are still carried on. */
    public static JobTracing untraced() {
        return new JobTracing(io.opentelemetry.api.trace.TracerProvider.noop().get("courier"));
    }

    /**
     * Runs one record's job (or its giving up) in the record's span; {@code body} gets outputs that carry the trace.
     */
    public void run(ConsumerRecord<String, byte[]> record, String group, Outputs outputs, Consumer<Outputs> body) {
        Headers in = record.headers();
        Context sentBy = W3C.extract(Context.root(), in, KafkaHeaderCarrier.INSTANCE);
        Context origin = W3C.extract(Context.root(), in, ORIGIN);
        Context parent = Span.fromContext(origin).getSpanContext().isValid() ? origin : sentBy;
        var builder = tracer.spanBuilder("process " + record.topic()).setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(SYSTEM, "kafka").setAttribute(OPERATION, "process")
                .setAttribute(DESTINATION, record.topic()).setAttribute(GROUP, group)
                .setAttribute(PARTITION, Integer.toString(record.partition())).setAttribute(OFFSET, record.offset())
                .setAttribute(ATTEMPT, attempts(in) + 1);
        SpanContext sender = Span.fromContext(sentBy).getSpanContext();
        if (parent == origin && sender.isValid()) {
            builder.addLink(sender); // the run (or release, or the producer) that sent this record
        }
        Span span = builder.startSpan();
        // Written again from the parsed context, never copied: a header as received could be any length.
        String originValue = traceparent(Span.fromContext(origin).getSpanContext().isValid()
                ? origin
                : Span.fromContext(sentBy).getSpanContext().isValid() ? sentBy : Context.root().with(span))
                .orElse(null);
        try (Scope ignored = span.makeCurrent()) {
            putIds(span.getSpanContext());
            // What tier records say of their job; the run itself names it again once the value is read.
            describe(CourierHeaders.read(in, CourierHeaders.JOB_TYPE), CourierHeaders.read(in, CourierHeaders.JOB_ID),
                    CourierHeaders.read(in, CourierHeaders.ACCOUNT_ID));
            body.accept(traced(outputs, span, originValue));
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            MDC.remove("traceId");
            MDC.remove("spanId");
            span.end();
        }
    }

    /**
     * A dead letter sent back to its topic by an operator: a new trace (a replay is a new decision, not the job's
     * old run), linked to the dead letter's; its headers get the new traceparent and lose the old origin.
     */
    public void replaying(ProducerRecord<String, byte[]> replay) {
        SpanContext original = Span.fromContext(W3C.extract(Context.root(), replay.headers(),
                KafkaHeaderCarrier.INSTANCE)).getSpanContext();
        var builder = tracer.spanBuilder("send " + replay.topic()).setSpanKind(SpanKind.PRODUCER).setNoParent()
                .setAttribute(SYSTEM, "kafka").setAttribute(OPERATION, "send")
                .setAttribute(DESTINATION, replay.topic()).setAttribute("courier.replay", true);
        if (original.isValid()) {
            builder.addLink(original);
        }
        Span span = builder.startSpan();
        replay.headers().remove(CourierHeaders.ORIGIN_TRACEPARENT);
        replay.headers().remove(TRACEPARENT);
        replay.headers().remove(TRACESTATE);
        W3C.inject(Context.root().with(span), replay.headers(), KafkaHeaderCarrier.INSTANCE);
        span.end();
    }

    /** One step of a run (validation, look-up, token refresh, budget debit) as a span of the current trace. */
    public <T> T step(String name, Supplier<T> body) {
        Span span = tracer.spanBuilder(name).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return body.get();
        } catch (RuntimeException | Error e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** Names the job on its run's span, once the record is read: the type, the job id and a hash of the account. */
    public static void describe(Optional<String> type, Optional<String> jobId, Optional<String> accountId) {
        Span span = Span.current();
        type.ifPresent(v -> span.setAttribute(JOB_TYPE, cut(v)));
        jobId.ifPresent(v -> span.setAttribute(JOB_ID, cut(v)));
        accountId.ifPresent(v -> span.setAttribute(ACCOUNT_HASH, AccountHash.of(v)));
    }

    private Outputs traced(Outputs outputs, Span run, String origin) {
        return record -> {
            Span send = tracer.spanBuilder("send " + record.topic()).setSpanKind(SpanKind.PRODUCER)
                    .setParent(Context.root().with(run))
                    .setAttribute(SYSTEM, "kafka").setAttribute(OPERATION, "send")
                    .setAttribute(DESTINATION, record.topic()).startSpan();
            CourierHeaders.read(record.headers(), CourierHeaders.ERROR_CLASS).ifPresent(c -> {
                send.setAttribute(ERROR_CLASS, c);
                run.setAttribute(ERROR_CLASS, c);
            });
            run.setAttribute(OUTCOME_TOPIC, record.topic());
            W3C.inject(Context.root().with(send), record.headers(), KafkaHeaderCarrier.INSTANCE);
            String state = KafkaHeaderCarrier.INSTANCE.get(record.headers(), TRACESTATE);
            if (state != null && state.length() > MAX_TRACESTATE) {
                record.headers().remove(TRACESTATE); // W3C's own limit; more would not fit RecordLimit's room
            }
            if (origin != null) {
                KafkaHeaderCarrier.INSTANCE.set(record.headers(), CourierHeaders.ORIGIN_TRACEPARENT, origin);
            }
            send.end();
            outputs.add(record);
        };
    }

    private static String cut(String value) {
        return value.length() <= MAX_ATTRIBUTE ? value : value.substring(0, MAX_ATTRIBUTE);
    }

    private static Optional<String> traceparent(Context context) {
        var carrier = new java.util.HashMap<String, String>();
        W3C.inject(context, carrier, (map, k, v) -> map.put(k, v));
        return Optional.ofNullable(carrier.get(TRACEPARENT));
    }

    private static void putIds(SpanContext span) {
        if (span.isValid()) {
            MDC.put("traceId", span.getTraceId());
            MDC.put("spanId", span.getSpanId());
        }
    }

    private static long attempts(Headers headers) {
        return CourierHeaders.read(headers, CourierHeaders.ATTEMPTS).filter(v -> v.matches("[0-9]{1,9}"))
                .map(Long::parseLong).orElse(0L);
    }

    /**
     * The account id as spans carry it: an HMAC, not the id (which names a customer, and may be an e-mail address a
     * plain hash would give away to a guess). Its key is derived from the token key, so every pod hashes alike;
     * rotating the token key changes the hashes from then on.
     */
    static final class AccountHash {
        private static volatile SecretKeySpec key = new SecretKeySpec(new byte[32], "HmacSHA256");

        private AccountHash() {}

        static void keyedBy(String tokenKey) {
            key = new SecretKeySpec(sha256(("courier span account hash\n" + tokenKey).getBytes(StandardCharsets.UTF_8)),
                    "HmacSHA256");
        }

        static String of(String accountId) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return java.util.HexFormat.of().formatHex(mac.doFinal(accountId.getBytes(StandardCharsets.UTF_8)), 0,
                        8);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e); // every JVM has HmacSHA256
            }
        }

        private static byte[] sha256(byte[] in) {
            try {
                return java.security.MessageDigest.getInstance("SHA-256").digest(in);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
