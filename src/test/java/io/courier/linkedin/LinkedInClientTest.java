package io.courier.linkedin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's requests as a server sees them, and its reading of answers, against a recording HTTP server. */
class LinkedInClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BearerToken TOKEN = new BearerToken("AQUvlL_test_token");

    record Seen(String method, String path, String rawQuery, Map<String, List<String>> headers, String body) {}

    record Config(URI apiBaseUrl, URI oauthBaseUrl, String version, Optional<String> clientId,
            Optional<String> clientSecret, Duration connectTimeout, Duration requestTimeout,
            int maxCallsInFlight, int maxResponseBytes) implements LinkedInConfig {
        @Override
        public Duration uploadTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Optional<java.time.LocalDate> versionSunset() {
            return Optional.empty();
        }

        @Override
        public Duration versionWarnBefore() {
            return Duration.ofDays(60);
        }
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private volatile Answer answer = new Answer(200, Map.of(), "{}", 0);
    private final AtomicInteger stalledWritesEnded = new AtomicInteger();
    private HttpServer server;
    private LinkedInClient client;

    /** stallMs > 0: the status line and headers go out, then the body stalls that long, one byte short. */
    record Answer(int status, Map<String, String> headers, String body, long delayMs, long stallMs) {
        Answer(int status, Map<String, String> headers, String body, long delayMs) {
            this(status, headers, body, delayMs, 0);
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        client = new LinkedInClient(new Config(base, base, "202610", Optional.empty(), Optional.empty(),
                Duration.ofSeconds(1), Duration.ofMillis(700), 3, 1 << 20), new ObjectMapper(), Clock.systemUTC());
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        // A call ends for the client when its answer arrives: leave before writing it, or the client's next call
        // can arrive while this one still counts (seen as 4 in flight with a limit of 3).
        boolean[] left = {false};
        Runnable leave = () -> {
            if (!left[0]) {
                left[0] = true;
                inFlight.decrementAndGet();
            }
        };
        try {
            answer(exchange, leave);
        } finally {
            leave.run();
        }
    }

    private void answer(HttpExchange exchange, Runnable leave) throws IOException {
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        Answer a = answer;
        try {
            Thread.sleep(a.delayMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        if (a.stallMs() > 0) {
            stall(exchange, a, body);
            return;
        }
        leave.run();
        exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private void stall(HttpExchange exchange, Answer a, byte[] body) throws IOException {
        exchange.sendResponseHeaders(a.status(), body.length + 1L);
        exchange.getResponseBody().write(body, 0, body.length / 2);
        exchange.getResponseBody().flush();
        try {
            Thread.sleep(a.stallMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stalledWritesEnded.incrementAndGet();
            exchange.close();
        }
    }

    private static String header(Seen s, String name) {
        return s.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    @Test
    void createsAPostWithLinkedInsHeadersAndBodyAndReadsTheUrnFromXRestliId() throws Exception {
        answer = new Answer(201, Map.of("x-restli-id", "urn:li:share:7141138937766391808", "x-li-uuid", "uuid-1"), "",
                0);

        CreatedPost post = client.createPost(TOKEN,
                new PostDraft("urn:li:person:782bbtaQ", "Hi (team) #1 @all", "PUBLIC"));

        assertThat(post.postUrn()).isEqualTo("urn:li:share:7141138937766391808");
        assertThat(post.linkedinRequestId()).contains("uuid-1");
        Seen s = seen.get(0);
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.path()).isEqualTo("/rest/posts");
        assertThat(header(s, "Authorization")).isEqualTo("Bearer AQUvlL_test_token");
        assertThat(header(s, "LinkedIn-Version")).isEqualTo("202610");
        assertThat(header(s, "X-Restli-Protocol-Version")).isEqualTo("2.0.0");
        var body = JSON.readTree(s.body());
        assertThat(body.get("author").asText()).isEqualTo("urn:li:person:782bbtaQ");
        assertThat(body.get("commentary").asText()).isEqualTo("Hi \\(team\\) \\#1 \\@all");
        assertThat(body.at("/distribution/feedDistribution").asText()).isEqualTo("MAIN_FEED");
        assertThat(body.get("lifecycleState").asText()).isEqualTo("PUBLISHED");
        assertThat(body.get("isReshareDisabledByAuthor").asBoolean()).isFalse();
    }

    @Test
    void oneImageIsContentMediaAndSeveralAreAMultiImageInOrder() throws Exception {
        answer = new Answer(201, Map.of("x-restli-id", "urn:li:share:1"), "", 0);
        client.createPost(TOKEN, new PostDraft("urn:li:person:a", "one", "PUBLIC",
                List.of(new PostDraft.Media("urn:li:image:A", Optional.of("a cat"), Optional.empty()))));
        client.createPost(TOKEN, new PostDraft("urn:li:person:a", "two", "PUBLIC",
                List.of(new PostDraft.Media("urn:li:image:B", Optional.empty(), Optional.empty()),
                        new PostDraft.Media("urn:li:image:C", Optional.of("a dog"), Optional.empty()))));

        var one = JSON.readTree(seen.get(0).body()).get("content");
        assertThat(one.toString()).isEqualTo("{\"media\":{\"id\":\"urn:li:image:A\",\"altText\":\"a cat\"}}");
        var two = JSON.readTree(seen.get(1).body()).get("content");
        assertThat(two.toString()).isEqualTo("{\"multiImage\":{\"images\":[{\"id\":\"urn:li:image:B\"},"
                + "{\"id\":\"urn:li:image:C\",\"altText\":\"a dog\"}]}}");
    }

    @Test
    void anUploadGoesToItsPreSignedUrlWithoutTheToken() throws Exception {
        answer = new Answer(201, Map.of("ETag", "\"part-1\""), "", 0);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("upload", ".png");
        java.nio.file.Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        URI uploadUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/upload/images/x?sig=s");

        Optional<String> etag = client.upload("media.upload", uploadUrl, file, 2, 5, "image/png");

        assertThat(etag).contains("\"part-1\"");
        Seen s = seen.get(0);
        assertThat(s.method()).isEqualTo("PUT");
        assertThat(s.path()).isEqualTo("/upload/images/x");
        assertThat(header(s, "Authorization")).as("the URL is the credential").isNull();
        assertThat(header(s, "Content-Type")).isEqualTo("image/png");
        assertThat(s.body()).as("bytes 2 to 5 of the file").isEqualTo("\u0003\u0004\u0005\u0006");
        assertThat(header(s, "Content-Length")).isEqualTo("4");
        java.nio.file.Files.delete(file);
    }

    @Test
    void userinfoIsUnversionedAndPostsByAuthorEncodesTheUrn() {
        answer = new Answer(200, Map.of(), """
                {"sub":"782bbtaQ"}""", 0);
        assertThat(client.userinfo(TOKEN).value().get("sub").asText()).isEqualTo("782bbtaQ");
        assertThat(header(seen.get(0), "LinkedIn-Version")).isNull();
        assertThat(seen.get(0).path()).isEqualTo("/v2/userinfo");

        answer = new Answer(200, Map.of(), """
                {"elements":[{"id":"a"}],"paging":{"start":0,"count":10,"total":1}}""", 0);
        Page page = client.postsByAuthor(TOKEN, "urn:li:person:782bbtaQ", 0, 10).value();
        assertThat(page.elements()).hasSize(1);
        assertThat(page.isLast(10)).isTrue();
        assertThat(seen.get(1).rawQuery()).isEqualTo("author=urn%3Ali%3Aperson%3A782bbtaQ&q=author&start=0&count=10");
        assertThat(header(seen.get(1), "LinkedIn-Version")).isEqualTo("202610");

        client.organizationShareStatistics(TOKEN, "urn:li:organization:123");
        assertThat(seen.get(2).rawQuery())
                .isEqualTo("q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A123");
    }

    @Test
    void neverMoreCallsInFlightThanTheLimitAllows() throws Exception {
        answer = new Answer(200, Map.of(), """
                {"sub":"782bbtaQ"}""", 150);
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Fetched<JsonNode>>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                calls.add(callers.submit(() -> client.userinfo(TOKEN)));
            }
            for (Future<Fetched<JsonNode>> call : calls) {
                assertThat(call.get().value().get("sub").asText()).isEqualTo("782bbtaQ");
            }
        }
        assertThat(seen).hasSize(12);
        assertThat(mostInFlight.get()).as("calls LinkedIn saw at once, max-calls-in-flight = 3").isEqualTo(3);
    }

    @Test
    void anErrorAnswerBecomesATypedExceptionWithTheRequestId() {
        answer = new Answer(403, Map.of("x-li-uuid", "uuid-403"), """
                {"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED",\
                "message":"Not enough permissions to access: posts.CREATE.20261101"}""", 0);
        assertThatThrownBy(() -> client.createPost(TOKEN, new PostDraft("urn:li:person:a", "x", "PUBLIC")))
                .isInstanceOfSatisfying(LinkedInException.class, e -> {
                    assertThat(e.error().status()).isEqualTo(403);
                    assertThat(e.error().code()).contains("ACCESS_DENIED");
                    assertThat(e.error().linkedinRequestId()).contains("uuid-403");
                    assertThat(e.getMessage()).doesNotContain("AQUvlL_test_token");
                });
    }

    @Test
    void aHangingServerIsATimeoutAndAClosedPortIsRefused() throws IOException {
        answer = new Answer(200, Map.of(), "{}", 3_000);
        assertThatThrownBy(() -> client.userinfo(TOKEN)).isInstanceOfSatisfying(LinkedInUnreachableException.class,
                e -> assertThat(e.kind()).isEqualTo(LinkedInUnreachableException.Kind.TIMEOUT));

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
        LinkedInClient refused = new LinkedInClient(new Config(nowhere, nowhere, "202610", Optional.empty(),
                Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(1), 3, 1 << 20), new ObjectMapper(),
                Clock.systemUTC());
        assertThatThrownBy(() -> refused.userinfo(TOKEN)).isInstanceOfSatisfying(LinkedInUnreachableException.class,
                e -> assertThat(e.kind()).isEqualTo(LinkedInUnreachableException.Kind.REFUSED));
    }

    @Test
    void anAnswerThatStallsAfterItsHeadersIsATimeoutWithinTheRequestTimeoutAndFreesItsSlot() throws Exception {
        answer = new Answer(200, Map.of("Content-Type", "application/json"), """
                {"sub":"782bbtaQ"}""", 0, 20_000);
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> stalled = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // as many as max-calls-in-flight: each holds a slot while it waits
                stalled.add(callers.submit(() -> {
                    long start = System.nanoTime();
                    assertThatThrownBy(() -> client.userinfo(TOKEN)).isInstanceOfSatisfying(
                            LinkedInUnreachableException.class,
                            e -> assertThat(e.kind()).isEqualTo(LinkedInUnreachableException.Kind.TIMEOUT));
                    return Duration.ofNanos(System.nanoTime() - start).toMillis();
                }));
            }
            for (Future<Long> call : stalled) {
                assertThat(call.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("ms until a stalled answer gave up; request timeout 700 ms").isBetween(600L, 2_000L);
            }
        }
        answer = new Answer(200, Map.of(), """
                {"sub":"782bbtaQ"}""", 0);
        long start = System.nanoTime();
        assertThat(client.userinfo(TOKEN).value().get("sub").asText()).isEqualTo("782bbtaQ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the stalled calls gave their slots back")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(stalledWritesEnded.get()).as("the server is still stalling: the client gave up, not the server")
                .isZero();
    }

    @Test
    void aFiveMegabyteHtmlErrorPageIsAServerErrorWithATruncatedTextOfTheBody() {
        String page = "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>"
                + "<h1>Service Unavailable</h1>" + "<p>LinkedIn is busy, try again later.</p>\n".repeat(120_000)
                + "</body></html>";
        assertThat(page.length()).isGreaterThan(5_000_000);
        answer = new Answer(503, Map.of("Content-Type", "text/html", "x-li-uuid", "uuid-503"), page, 0);

        assertThatThrownBy(() -> client.createPost(TOKEN, new PostDraft("urn:li:person:a", "x", "PUBLIC")))
                .isInstanceOfSatisfying(LinkedInServerException.class, e -> {
                    var failure = ErrorClassifier.toFailure(e);
                    assertThat(failure.errorClass()).isEqualTo(io.courier.retry.ErrorClass.SERVER_ERROR);
                    assertThat(failure.httpStatus().getAsInt()).isEqualTo(503);
                    assertThat(failure.linkedinRequestId()).contains("uuid-503");
                    assertThat(failure.message()).contains("503").contains("Service Unavailable")
                            .contains("LinkedIn is busy").doesNotContain("{}").hasSizeLessThan(1_000);
                });
    }

    @Test
    void aSuccessLongerThanMaxResponseBytesFailsNamingThePropertyInsteadOfBeingReadWhole() {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        LinkedInClient small = new LinkedInClient(new Config(base, base, "202610", Optional.empty(), Optional.empty(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 3, 1024), new ObjectMapper(), Clock.systemUTC());
        answer = new Answer(200, Map.of(), "{\"elements\":[" + "{\"id\":\"a\"},".repeat(1000) + "{}]}", 0);
        assertThatThrownBy(() -> small.postsByAuthor(TOKEN, "urn:li:person:a", 0, 10))
                .isInstanceOfSatisfying(LinkedInException.class, e -> {
                    assertThat(e.getMessage()).contains("courier.linkedin.max-response-bytes (1024 bytes)");
                    assertThat(ErrorClassifier.classify(e.error())).isEqualTo(io.courier.retry.ErrorClass.BAD_REQUEST);
                });
    }

    @Test
    void aBearerTokenNeverPrintsItsValue() {
        assertThat(TOKEN.toString()).doesNotContain("AQUvlL").contains("redacted");
        assertThat(String.valueOf(TOKEN)).isEqualTo("BearerToken[redacted]");
    }
}
