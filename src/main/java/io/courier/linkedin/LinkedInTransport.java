package io.courier.linkedin;

import io.courier.platform.RunningJob;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One HTTP exchange with LinkedIn, bounded in time and size, for both LinkedIn clients: the whole answer, body
 * included, within courier.linkedin.request-timeout; at most courier.linkedin.max-response-bytes of a success's
 * body and {@link #ERROR_BODY_BYTES} of an error's. Every missing answer becomes a
 * {@link LinkedInUnreachableException} here, in one place. Not the JDK client's request timeout alone: it covers
 * the headers only, so a body that stalls after them would hold the call (and its call slot) forever.
 */
final class LinkedInTransport {

    /** Enough for any LinkedIn JSON error and the start of an HTML page; a 5 MB error page is not kept whole. */
    static final int ERROR_BODY_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(LinkedInTransport.class);
    private static final Duration PROGRESS_SLICE = Duration.ofSeconds(10);

    /** What came back within the bounds; truncated when the body was longer than its cap and was cut there. */
    record Answer(int status, HttpHeaders headers, byte[] body, boolean truncated) {}

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<List<String>> REQUEST_ID = AttributeKey
            .stringArrayKey("http.response.header.x-li-uuid");
    private static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("courier.linkedin.endpoint");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private final HttpClient http;
    private final int maxResponseBytes;
    private final Tracer tracer;

    LinkedInTransport(LinkedInConfig config, Tracer tracer) {
        this.tracer = tracer;
        this.maxResponseBytes = config.maxResponseBytes();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /**
     * Sends the request and reads its answer within the deadline; what ends the wait is the deadline itself. The
     * exchange is an HTTP client span of the job's trace, with LinkedIn's status and x-li-uuid (the URL without its
     * query, which may hold a member's search; no trace header goes to LinkedIn).
     */
    Answer send(String endpoint, HttpRequest request, Duration deadline) {
        Span span = tracer.spanBuilder(request.method()).setSpanKind(SpanKind.CLIENT)
                .setAttribute(METHOD, request.method()).setAttribute(SERVER, request.uri().getHost())
                .setAttribute(PATH, request.uri().getPath()).setAttribute(ENDPOINT, endpoint).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            Answer answer = exchange(endpoint, request, deadline);
            span.setAttribute(STATUS, (long) answer.status());
            answer.headers().firstValue("x-li-uuid").ifPresent(id -> span.setAttribute(REQUEST_ID, List.of(id)));
            if (answer.status() >= 400) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(ERROR_TYPE, Integer.toString(answer.status()));
            }
            return answer;
        } catch (LinkedInUnreachableException e) {
            span.setStatus(StatusCode.ERROR, e.kind().name());
            span.setAttribute(ERROR_TYPE, e.kind().name());
            throw e;
        } finally {
            span.end();
        }
    }

    private Answer exchange(String endpoint, HttpRequest request, Duration deadline) {
        if (Thread.currentThread().isInterrupted() || RunningJob.cancelled()) {
            throw unreachable(endpoint, LinkedInUnreachableException.Kind.IO, "cancelled before the call");
        }
        CompletableFuture<HttpResponse<BoundedBody.Bytes>> call = http.sendAsync(request,
                info -> new BoundedBody(info.statusCode() / 100 == 2 ? maxResponseBytes : ERROR_BODY_BYTES));
        try {
            HttpResponse<BoundedBody.Bytes> response = await(call, deadline);
            return new Answer(response.statusCode(), response.headers(), response.body().value(),
                    response.body().truncated());
        } catch (TimeoutException e) {
            call.cancel(true); // aborts the exchange and closes its connection (JDK 16+)
            throw unreachable(endpoint, LinkedInUnreachableException.Kind.TIMEOUT,
                    "no whole answer within " + deadline);
        } catch (ExecutionException e) {
            throw unreachable(endpoint, e.getCause(), deadline);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw unreachable(endpoint, LinkedInUnreachableException.Kind.IO, "interrupted");
        } finally {
            RunningJob.reportProgress(); // a job that makes call after call is not stuck (poll-loop liveness)
        }
    }

    /**
     * The answer within the deadline, waited for in slices that each tell the poll loop the job is alive: a long
     * upload (courier.linkedin.upload-timeout) is bounded, not stuck, and must not fail the pod's liveness.
     */
    private static <T> T await(CompletableFuture<T> call, Duration deadline)
            throws TimeoutException, ExecutionException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) { // ends: the answer, or the deadline (a TimeoutException)
            long left = end - System.nanoTime();
            try {
                return call.get(Math.min(left, PROGRESS_SLICE.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException slice) {
                if (end - System.nanoTime() <= 0) {
                    throw slice;
                }
                RunningJob.reportProgress();
            }
        }
    }

    private static LinkedInUnreachableException unreachable(String endpoint, Throwable cause, Duration deadline) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return switch (cause) {
            case HttpConnectTimeoutException e ->
                unreachable(endpoint, LinkedInUnreachableException.Kind.TIMEOUT, "connect timeout");
            case HttpTimeoutException e ->
                unreachable(endpoint, LinkedInUnreachableException.Kind.TIMEOUT, "no answer within " + deadline);
            case ConnectException e -> unreachable(endpoint, LinkedInUnreachableException.Kind.REFUSED, e.getMessage());
            case IOException e when isReset(e) ->
                unreachable(endpoint, LinkedInUnreachableException.Kind.RESET, e.getClass().getSimpleName());
            default -> unreachable(endpoint, LinkedInUnreachableException.Kind.IO, cause.getClass().getSimpleName());
        };
    }

    /**
     * The JDK client words a connection that ended mid-answer in several ways ("connection reset", "closed",
     * "header parser received no bytes" caused by an EOFException); all of them are a reset. The cause chain is
     * finite, and the depth cap guards against a cycle.
     */
    private static boolean isReset(IOException e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 5; depth++, t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof java.io.EOFException || message != null
                    && (message.contains("reset") || message.contains("closed") || message.contains("EOF"))) {
                return true;
            }
        }
        return false;
    }

    private static LinkedInUnreachableException unreachable(String endpoint, LinkedInUnreachableException.Kind kind,
            String detail) {
        LOG.infof("linkedin call failed endpoint=%s kind=%s", endpoint, kind);
        return new LinkedInUnreachableException(endpoint, kind, detail);
    }
}
