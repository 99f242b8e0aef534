package io.courier.simulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful stand-in for LinkedIn's API and OAuth server, on its own port, speaking LinkedIn's real paths,
 * bodies and headers (linkedin-api.md), with a control API under /sim for tests. It imports nothing from the
 * rest of Courier on purpose: shared code would hide the bugs it exists to find.
 */
public final class LinkedInSimulator implements AutoCloseable {

    private final SimulatorOptions options;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    final SimClock clock = new SimClock();
    final Identities identities = new Identities();
    final Posts posts = new Posts();
    final Comments comments = new Comments();
    /** Versions made inactive at runtime (PUT /sim/versions): every call with one answers 426, as after a sunset. */
    final Set<String> inactiveVersions = ConcurrentHashMap.newKeySet();
    final Media media = new Media();
    final Faults faults = new Faults();
    final Quotas quotas;
    volatile Duration latency;
    private final RestEndpoints rest;
    private final OAuthEndpoints oauth;
    private final ControlEndpoints control;
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final Map<String, Map<String, Integer>> calls = new ConcurrentHashMap<>();
    private final Deque<Map<String, Object>> requestLog = new ArrayDeque<>();

    private LinkedInSimulator(SimulatorOptions options) throws IOException {
        this.options = options;
        this.quotas = new Quotas(options.quotaWindow());
        this.latency = options.latency();
        this.rest = new RestEndpoints(this);
        this.oauth = new OAuthEndpoints(this);
        this.control = new ControlEndpoints(this);
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK
        // and most answers wait an extra ~40 ms: the simulator would be slower than the LinkedIn it imitates.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 200);
        server.setExecutor(threads);
        server.createContext("/", http -> handle(new Exchange(http)));
        server.start();
    }

    public static LinkedInSimulator start(SimulatorOptions options) {
        try {
            return new LinkedInSimulator(options);
        } catch (IOException e) {
            throw new UncheckedIOException("simulator could not listen on port " + options.port(), e);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        SimulatorOptions options = SimulatorOptions.defaults();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> options = options.withPort(Integer.parseInt(args[i + 1]));
                case "--host" -> options = options.withHost(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: LinkedInSimulator [--port N] [--host ADDRESS]");
            }
        }
        LinkedInSimulator sim = start(options);
        System.out.println("LinkedIn simulator on " + sim.baseUrl());
        Thread.currentThread().join();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        String host = server.getAddress().getAddress().isAnyLocalAddress() ? "127.0.0.1" : options.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    SimulatorOptions options() {
        return options;
    }

    OAuthEndpoints oauth() {
        return oauth;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(Exchange ex) {
        try {
            if (ex.path.startsWith("/sim/")) {
                control.handle(ex);
                return;
            }
            int now = inFlight.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                Optional<Faults.Fault> fault = faults.take(ex.method, ex.path, () -> refreshTokenOf(ex),
                        () -> bearerOf(ex));
                sleep(latency.toMillis());
                if (fault.isPresent() && fault.get().mode() == Faults.Mode.STALL) {
                    // LinkedIn did the work; only its answer is stuck (a stalled 201 still created the post).
                    ex.stall = new Exchange.Stall(fault.get().sentBytes(),
                            fault.get().latencyMs() > 0 ? fault.get().latencyMs() : 60_000);
                    route(ex);
                } else if (fault.isPresent()) {
                    inject(ex, fault.get());
                } else {
                    route(ex);
                }
            } finally {
                inFlight.decrementAndGet();
                record(ex);
            }
        } catch (Exception e) {
            try {
                ex.send(500, Exchange.error(500, null, null, "simulator error: " + e));
            } catch (IOException | RuntimeException ignored) {
                ex.http.close();
            }
        }
    }

    private void route(Exchange ex) throws IOException {
        String key = ex.method + " " + ex.path;
        if (ex.method.equals("POST") && ex.path.startsWith("/rest/socialActions/")
                && ex.path.endsWith("/comments")) {
            rest.createComment(ex);
            return;
        }
        if (ex.method.equals("GET") && ex.path.startsWith("/rest/posts/")) {
            rest.post(ex);
            return;
        }
        for (String kind : new String[] {"image", "video", "document"}) {
            if (ex.path.startsWith("/rest/" + kind + "s/") && ex.method.equals("GET")) {
                rest.medium(ex, kind);
                return;
            }
            if (ex.path.equals("/rest/" + kind + "s") && ex.method.equals("POST")) {
                rest.mediaAction(ex, kind);
                return;
            }
        }
        if (ex.method.equals("PUT") && ex.path.startsWith("/upload/")) {
            rest.upload(ex);
            return;
        }
        if (ex.method.equals("GET") && ex.path.startsWith("/files/")) {
            rest.file(ex);
            return;
        }
        switch (key) {
            case "POST /oauth/v2/accessToken" -> oauth.token(ex);
            case "GET /oauth/v2/authorization" -> oauth.authorize(ex);
            case "POST /oauth/v2/introspectToken" -> oauth.introspect(ex);
            case "GET /v2/userinfo" -> rest.userinfo(ex);
            case "POST /rest/posts" -> rest.createPost(ex);
            case "GET /rest/posts" -> rest.postsByAuthor(ex);
            case "GET /rest/organizationAcls" -> rest.organizationAcls(ex);
            case "GET /rest/organizationalEntityShareStatistics" -> rest.shareStatistics(ex);
            case "GET /rest/memberCreatorPostAnalytics" -> rest.postAnalytics(ex);
            default -> ex.send(404, Exchange.error(404, null, "RESOURCE_NOT_FOUND", "No virtual resource found"));
        }
    }

    private void inject(Exchange ex, Faults.Fault fault) throws IOException {
        switch (fault.mode()) {
            case HANG -> {
                sleep(fault.latencyMs() > 0 ? fault.latencyMs() : 60_000);
                ex.http.close();
            }
            case RESET -> ex.http.close(); // no status line: the client sees the connection end
            case STATUS -> {
                sleep(fault.latencyMs());
                fault.headers().forEach((k, v) -> ex.http.getResponseHeaders().set(k, v));
                if (fault.bodyBytes() > 0) {
                    ex.send(fault.status(), htmlPage(fault.status(), fault.bodyBytes()), "text/html");
                    return;
                }
                String body = fault.body() != null ? fault.body() : defaultBody(fault.status());
                ex.send(fault.status(), body.getBytes(StandardCharsets.UTF_8),
                        body.startsWith("<") ? "text/html" : "application/json");
            }
            case STALL -> throw new IllegalStateException("a stall is applied to the endpoint's own answer");
        }
    }

    /** The refresh_token form field of a token call, for faults that target one account's refreshes. */
    private static String refreshTokenOf(Exchange ex) {
        try {
            return ex.form().get("refresh_token");
        } catch (IOException e) {
            return null;
        }
    }

    /** An HTML error page of exactly `size` bytes (at least its frame), as a gateway in front of LinkedIn may send. */
    static byte[] htmlPage(int status, int size) {
        String reason = switch (status) {
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 504 -> "Gateway Timeout";
            default -> "Service Unavailable";
        };
        String head = "<!DOCTYPE html><html><head><title>" + status + " " + reason + "</title></head><body>"
                + "<h1>" + status + " " + reason + "</h1>\n";
        String line = "<p>The server is temporarily unable to service your request. Please try again later.</p>\n";
        String tail = "</body></html>\n";
        StringBuilder page = new StringBuilder(Math.max(size, head.length() + tail.length())).append(head);
        while (page.length() + line.length() + tail.length() <= size) {
            page.append(line);
        }
        page.append(" ".repeat(Math.max(0, size - page.length() - tail.length()))).append(tail);
        return page.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Plausible bodies; LinkedIn's 5xx bodies are undocumented (HTML, JSON or empty all occur). */
    private static String defaultBody(int status) {
        return switch (status) {
            case 429 -> """
                    {"serviceErrorCode": 101, "message": "Resource level throttle limit for calls to this resource is reached.",
                     "status": 429}""";
            case 500 -> """
                    {"message": "Internal Server Error", "status": 500}""";
            case 502, 504 -> "<html><body><h1>" + status + " Gateway error</h1></body></html>";
            case 503 -> "";
            default -> """
                    {"status": %d, "message": "injected fault"}""".formatted(status);
        };
    }

    void count(String resource, int status) {
        calls.computeIfAbsent(resource, r -> new ConcurrentHashMap<>()).merge(Integer.toString(status), 1,
                Integer::sum);
    }

    private void record(Exchange ex) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("at", clock.now().toString());
        entry.put("method", ex.method);
        entry.put("path", ex.path);
        entry.put("rawQuery", ex.rawQuery);
        entry.put("linkedinVersion", ex.header("LinkedIn-Version"));
        entry.put("restliProtocolVersion", ex.header("X-Restli-Protocol-Version"));
        entry.put("authorization", ex.header("Authorization") == null ? "absent" : "present");
        entry.put("status", ex.status);
        entry.put("memberId", ex.memberId != null ? ex.memberId : memberOf(ex.header("Authorization")));
        synchronized (requestLog) {
            requestLog.addLast(entry);
            if (requestLog.size() > 10_000) {
                requestLog.removeFirst();
            }
        }
    }

    /** Whose token a request carried, also for calls a fault answered before any token check. */
    private String memberOf(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        Identities.AccessToken token = identities.accessTokens.get(authorization.substring(7).trim());
        return token == null ? null : token.memberId();
    }

    List<Map<String, Object>> requests(int limit) {
        synchronized (requestLog) {
            List<Map<String, Object>> all = new ArrayList<>(requestLog);
            return all.subList(Math.max(0, all.size() - limit), all.size());
        }
    }

    void clearRequests() {
        synchronized (requestLog) {
            requestLog.clear();
        }
    }

    private static String bearerOf(Exchange ex) {
        String auth = ex.header("Authorization");
        return auth != null && auth.startsWith("Bearer ") ? auth.substring("Bearer ".length()) : null;
    }

    void reset() {
        identities.clear();
        posts.clear();
        comments.clear();
        inactiveVersions.clear();
        media.clear();
        faults.clear();
        quotas.reset();
        calls.clear();
        maxConcurrent.set(0);
        clearRequests();
    }

    static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
