package io.courier.linkedin;

import static io.courier.job.LinkedInOperation.COMMENTS_CREATE;
import static io.courier.job.LinkedInOperation.DOCUMENTS_GET;
import static io.courier.job.LinkedInOperation.DOCUMENTS_INITIALIZE;
import static io.courier.job.LinkedInOperation.IMAGES_GET;
import static io.courier.job.LinkedInOperation.IMAGES_INITIALIZE;
import static io.courier.job.LinkedInOperation.ORGANIZATION_ACLS;
import static io.courier.job.LinkedInOperation.POSTS_BY_AUTHOR;
import static io.courier.job.LinkedInOperation.POSTS_CREATE;
import static io.courier.job.LinkedInOperation.POSTS_GET;
import static io.courier.job.LinkedInOperation.POST_ANALYTICS;
import static io.courier.job.LinkedInOperation.SHARE_STATISTICS;
import static io.courier.job.LinkedInOperation.USERINFO;
import static io.courier.job.LinkedInOperation.VIDEOS_FINALIZE;
import static io.courier.job.LinkedInOperation.VIDEOS_GET;
import static io.courier.job.LinkedInOperation.VIDEOS_INITIALIZE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.job.LinkedInOperation;
import io.courier.job.LinkedInOperation.Breaker;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.jboss.logging.Logger;

/**
 * LinkedIn's REST API, one method per resource (so each can carry its own timeout and circuit breaker).
 * Sends the headers LinkedIn requires (linkedin-api.md §3), turns every error answer into a
 * {@link LinkedInException} with the parsed body, and every missing answer into a
 * {@link LinkedInUnreachableException}. Logs x-li-uuid on each failure; never the token.
 *
 * <p>Each resource has its own circuit breaker (SmallRye Fault Tolerance), counting only 5xx and missing answers;
 * while one is open, calls fail at once with CircuitBreakerOpenException and the jobs wait in the retry tiers.
 * Thresholds are the MicroProfile defaults unless overridden, e.g.
 * {@code io.courier.linkedin.LinkedInClient/createPost/CircuitBreaker/delay=30000}. No @Retry: delays live in
 * tier topics. No @Timeout: {@link LinkedInTransport} bounds every call's whole answer by
 * courier.linkedin.request-timeout and its body's size. At most courier.linkedin.max-calls-in-flight calls are in
 * flight at once; only the call itself holds a slot, and a call abandoned at its deadline gives it back.
 */
@ApplicationScoped
public class LinkedInClient {

    private static final Logger LOG = Logger.getLogger(LinkedInClient.class);

    private final LinkedInConfig config;
    private final ObjectMapper json;
    private final LinkedInTransport transport;
    /** Why a semaphore and not SmallRye's @Bulkhead: one limit shared by every resource's method, not one each. */
    private final Semaphore callSlots;
    /** Uploads hold slots of their own: a few slow uploads must not hold every API call of the pod back. */
    private final Semaphore uploadSlots;
    private final Clock clock;
    private final VersionGate version;

    /** A client on its own (tests): no version gate. */
    public LinkedInClient(LinkedInConfig config, ObjectMapper json, Clock clock) {
        this(config, json, clock, VersionGate.OPEN, TracerProvider.noop().get("courier"));
    }

    @jakarta.inject.Inject
    public LinkedInClient(LinkedInConfig config, ObjectMapper json, Clock clock, VersionGate version, Tracer tracer) {
        this.version = version;
        this.config = config;
        this.json = json;
        this.clock = clock;
        this.callSlots = new Semaphore(config.maxCallsInFlight());
        this.uploadSlots = new Semaphore(config.maxCallsInFlight());
        this.transport = new LinkedInTransport(config, tracer);
    }

    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.POSTS_CREATE)
    public CreatedPost createPost(BearerToken token, PostDraft draft) {
        ObjectNode body = json.createObjectNode()
                .put("author", draft.author())
                .put("commentary", LittleText.escape(draft.commentary()))
                .put("visibility", draft.visibility());
        ObjectNode distribution = body.putObject("distribution").put("feedDistribution", "MAIN_FEED");
        distribution.putArray("targetEntities");
        distribution.putArray("thirdPartyDistributionChannels");
        body.put("lifecycleState", "PUBLISHED").put("isReshareDisabledByAuthor", false);
        content(draft.media()).ifPresent(content -> body.set("content", content));
        LinkedInTransport.Answer response = send(POSTS_CREATE.endpoint, request(token, POSTS_CREATE.path, true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        Optional<String> urn = response.headers().firstValue("x-restli-id")
                .or(() -> Optional.ofNullable(readTree(POSTS_CREATE.endpoint, response))
                        .map(t -> t.path("id").asText(null)));
        return new CreatedPost(
                urn.orElseThrow(() -> unreadable(POSTS_CREATE.endpoint, response, "201 without x-restli-id or id")),
                requestId(response));
    }

    /**
     * A post's media (linkedin-api.md §5): one image, video or document as "media"; 2-20 images as "multiImage"
     * (LinkedIn refuses a multiImage of one).
     */
    private Optional<ObjectNode> content(List<PostDraft.Media> media) {
        if (media.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode content = json.createObjectNode();
        if (media.size() == 1) {
            PostDraft.Media only = media.get(0);
            ObjectNode item = content.putObject("media").put("id", only.urn());
            only.altText().filter(t -> only.urn().startsWith("urn:li:image:")).ifPresent(t -> item.put("altText", t));
            only.title().ifPresent(t -> item.put("title", t));
        } else {
            var images = content.putObject("multiImage").putArray("images");
            media.forEach(m -> {
                ObjectNode image = images.addObject().put("id", m.urn());
                m.altText().ifPresent(t -> image.put("altText", t));
            });
        }
        return Optional.of(content);
    }

    /** An upload slot for an image its owner (the post's author) will show. */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.IMAGES_INITIALIZE)
    public UploadSlot initializeImageUpload(BearerToken token, String ownerUrn, long sizeBytes) {
        return initializeUpload(IMAGES_INITIALIZE, token, ownerUrn, "image", sizeBytes);
    }

    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.DOCUMENTS_INITIALIZE)
    public UploadSlot initializeDocumentUpload(BearerToken token, String ownerUrn, long sizeBytes) {
        return initializeUpload(DOCUMENTS_INITIALIZE, token, ownerUrn, "document", sizeBytes);
    }

    /** A video's upload slot: its parts (4 MiB each over 4 MiB) and the token its finalizeUpload needs. */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.VIDEOS_INITIALIZE)
    public UploadSlot initializeVideoUpload(BearerToken token, String ownerUrn, long sizeBytes) {
        return initializeUpload(VIDEOS_INITIALIZE, token, ownerUrn, "video", sizeBytes);
    }

    /** The video's parts are up: their ETags, in part order. */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.VIDEOS_FINALIZE)
    public void finalizeVideoUpload(BearerToken token, String videoUrn, String uploadToken, List<String> partIds) {
        ObjectNode body = json.createObjectNode();
        ObjectNode request = body.putObject("finalizeUploadRequest").put("video", videoUrn)
                .put("uploadToken", uploadToken);
        partIds.forEach(request.putArray("uploadedPartIds")::add);
        send(VIDEOS_FINALIZE.endpoint, request(token, VIDEOS_FINALIZE.path, true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** An image's state at LinkedIn ("status": PROCESSING, AVAILABLE or PROCESSING_FAILED). */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.IMAGES_GET)
    public Fetched<JsonNode> image(BearerToken token, String imageUrn) {
        return mediaStatus(IMAGES_GET, token, imageUrn);
    }

    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.DOCUMENTS_GET)
    public Fetched<JsonNode> document(BearerToken token, String documentUrn) {
        return mediaStatus(DOCUMENTS_GET, token, documentUrn);
    }

    /** A video's state: WAITING_UPLOAD, PROCESSING, AVAILABLE or PROCESSING_FAILED (processingFailureReason). */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.VIDEOS_GET)
    public Fetched<JsonNode> video(BearerToken token, String videoUrn) {
        return mediaStatus(VIDEOS_GET, token, videoUrn);
    }

    private Fetched<JsonNode> mediaStatus(LinkedInOperation operation, BearerToken token, String urn) {
        LinkedInTransport.Answer response = send(operation.endpoint,
                request(token, operation.path.replace("{urn}", Urns.encodePath(urn)), true).GET());
        return new Fetched<>(readTree(operation.endpoint, response), requestId(response));
    }

    /**
     * initializeUpload of the Images, Documents or Videos API (linkedin-api.md §5). An image or a document has one
     * part, the whole file; a video lists its parts. Without an expiry, the URLs are taken to last a short while:
     * a later run starts the item over.
     */
    private UploadSlot initializeUpload(LinkedInOperation operation, BearerToken token, String ownerUrn,
            String field, long sizeBytes) {
        ObjectNode body = json.createObjectNode();
        ObjectNode request = body.putObject("initializeUploadRequest").put("owner", ownerUrn);
        if (operation == VIDEOS_INITIALIZE) {
            request.put("fileSizeBytes", sizeBytes).put("uploadCaptions", false).put("uploadThumbnail", false);
        }
        LinkedInTransport.Answer response = send(operation.endpoint, request(token, operation.path, true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        JsonNode value = Optional.ofNullable(readTree(operation.endpoint, response)).orElse(json.nullNode())
                .path("value");
        List<UploadSlot.Part> parts = new ArrayList<>();
        if (value.path("uploadUrl").isTextual()) {
            parts.add(new UploadSlot.Part(URI.create(value.get("uploadUrl").asText()), 0, sizeBytes - 1));
        }
        value.path("uploadInstructions").forEach(p -> parts.add(new UploadSlot.Part(
                URI.create(p.path("uploadUrl").asText()), p.path("firstByte").asLong(), p.path("lastByte").asLong())));
        if (!value.path(field).isTextual() || parts.isEmpty()) {
            throw unreadable(operation.endpoint, response, "initializeUpload without " + field + " or upload URL");
        }
        JsonNode expires = value.has("uploadUrlExpiresAt")
                ? value.get("uploadUrlExpiresAt")
                : value.path("uploadUrlsExpireAt");
        return new UploadSlot(value.get(field).asText(), Optional.ofNullable(value.path("uploadToken").textValue()),
                parts, expires.canConvertToLong()
                        ? Instant.ofEpochMilli(expires.asLong())
                        : clock.instant().plus(Duration.ofMinutes(15)));
    }

    /**
     * Puts bytes {@code firstByte}..{@code lastByte} of a file to a pre-signed upload URL LinkedIn gave: without the
     * token (the URL is the credential, and it may be another host's), within courier.linkedin.upload-timeout. A
     * refusal is a LinkedInException of endpoint {@code endpoint}; the answer's ETag (a video part's id) is answered.
     */
    public Optional<String> upload(String endpoint, URI uploadUrl, Path file, long firstByte,
            long lastByte, String contentType) {
        long length = lastByte - firstByte + 1;
        HttpRequest.BodyPublisher bytes = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> rangeOf(file, firstByte, length)), length);
        HttpRequest.Builder request = HttpRequest.newBuilder(uploadUrl).header("Content-Type", contentType)
                .PUT(bytes);
        return send(endpoint, request, config.uploadTimeout(), uploadSlots).headers().firstValue("ETag");
    }

    private static InputStream rangeOf(Path file, long from, long length) {
        try {
            InputStream in = Files.newInputStream(file);
            in.skipNBytes(from);
            return new FilterInputStream(in) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    left--;
                    return super.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(b, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("reading the fetched media file", e);
        }
    }

    /**
     * A comment on a post, or a reply to one of its comments: the comment's URN (x-restli-id). LinkedIn answers 404
     * for a post created seconds ago, as for an unknown one (linkedin-api.md §5): the caller tells them apart.
     */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.COMMENTS_CREATE)
    public Fetched<String> createComment(BearerToken token, String postUrn, String actorUrn, String text,
            Optional<String> parentComment) {
        ObjectNode body = json.createObjectNode().put("actor", actorUrn).put("object", postUrn);
        body.putObject("message").put("text", text);
        parentComment.ifPresent(parent -> body.put("parentComment", parent));
        LinkedInTransport.Answer response = send(COMMENTS_CREATE.endpoint,
                request(token, COMMENTS_CREATE.path.replace("{urn}", Urns.encodePath(postUrn)), true)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        String urn = response.headers().firstValue("x-restli-id")
                .or(() -> Optional.ofNullable(readTree(COMMENTS_CREATE.endpoint, response))
                        .map(t -> t.path("id").asText(null)))
                .orElseThrow(() -> unreadable(COMMENTS_CREATE.endpoint, response, "201 without x-restli-id or id"));
        return new Fetched<>(urn, requestId(response));
    }

    /**
     * One metric ({@code queryType}: IMPRESSION, MEMBERS_REACHED, RESHARE, REACTION or COMMENT) of the member's own
     * post; the Rest.li structure around the URN is not encoded (linkedin-api.md §6).
     */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.POST_ANALYTICS)
    public Fetched<Page> postAnalytics(BearerToken token, String postUrn, String queryType) {
        String kind = postUrn.startsWith("urn:li:ugcPost:") ? "ugc" : "share";
        String query = "q=entity&entity=(" + kind + ":" + Urns.encodeQueryValue(postUrn) + ")&queryType="
                + queryType;
        return page(POST_ANALYTICS, token, query);
    }

    /** The post with this URN; a deleted or unknown one is a LinkedInException with status 404. */
    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.POSTS_GET)
    public Fetched<JsonNode> post(BearerToken token, String postUrn) {
        LinkedInTransport.Answer response = send(POSTS_GET.endpoint,
                request(token, POSTS_GET.path.replace("{urn}", Urns.encodePath(postUrn)), true).GET());
        return new Fetched<>(readTree(POSTS_GET.endpoint, response), requestId(response));
    }

    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.USERINFO)
    public Fetched<JsonNode> userinfo(BearerToken token) {
        LinkedInTransport.Answer response = send(USERINFO.endpoint, request(token, USERINFO.path, false).GET());
        return new Fetched<>(readTree(USERINFO.endpoint, response), requestId(response));
    }

    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.POSTS_BY_AUTHOR)
    public Fetched<Page> postsByAuthor(BearerToken token, String authorUrn, int start, int count) {
        String query = "author=" + Urns.encodeQueryValue(authorUrn) + "&q=author&start=" + start + "&count=" + count;
        return page(POSTS_BY_AUTHOR, token, query);
    }

    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.SHARE_STATISTICS)
    public Fetched<Page> organizationShareStatistics(BearerToken token, String organizationUrn) {
        String query = "q=organizationalEntity&organizationalEntity=" + Urns.encodeQueryValue(organizationUrn);
        return page(SHARE_STATISTICS, token, query);
    }

    @CircuitBreaker(failOn = {LinkedInServerException.class, LinkedInUnreachableException.class})
    @CircuitBreakerName(Breaker.ORGANIZATION_ACLS)
    public Fetched<Page> organizationAcls(BearerToken token, String role, String state, int start, int count) {
        String query = "q=roleAssignee&role=" + role + "&state=" + state + "&start=" + start + "&count=" + count;
        return page(ORGANIZATION_ACLS, token, query);
    }

    private Fetched<Page> page(LinkedInOperation operation, BearerToken token, String query) {
        LinkedInTransport.Answer response = send(operation.endpoint,
                request(token, operation.path + "?" + query, true).GET());
        JsonNode tree = readTree(operation.endpoint, response);
        List<JsonNode> elements = new ArrayList<>();
        tree.path("elements").forEach(elements::add);
        JsonNode paging = tree.path("paging");
        return new Fetched<>(
                new Page(elements, paging.path("start").asInt(0), paging.path("count").asInt(elements.size()),
                        paging.path("total").isInt()
                                ? OptionalInt.of(paging.get("total").asInt())
                                : OptionalInt.empty()),
                requestId(response));
    }

    /** /rest/* calls carry LinkedIn-Version; /v2/userinfo is unversioned (linkedin-api.md §3). */
    private HttpRequest.Builder request(BearerToken token, String pathAndQuery, boolean versioned) {
        HttpRequest.Builder builder = HttpRequest
                .newBuilder(URI.create(stripSlash(config.apiBaseUrl().toString()) + pathAndQuery))
                .timeout(config.requestTimeout())
                .header("Authorization", "Bearer " + token.reveal())
                .header("X-Restli-Protocol-Version", "2.0.0");
        return versioned ? builder.header("LinkedIn-Version", config.version()) : builder;
    }

    private LinkedInTransport.Answer send(String endpoint, HttpRequest.Builder request) {
        return send(endpoint, request, config.requestTimeout(), callSlots);
    }

    private LinkedInTransport.Answer send(String endpoint, HttpRequest.Builder request, Duration deadline,
            Semaphore slots) {
        LinkedInTransport.Answer response;
        try {
            // Interruptibly: a job cancelled while it waits for a slot (its partition handed over) must not call.
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinkedInUnreachableException(endpoint, LinkedInUnreachableException.Kind.IO,
                    "cancelled before the call");
        }
        try {
            HttpRequest built = request.build();
            if (built.headers().firstValue("LinkedIn-Version").isPresent()) {
                version.check(endpoint); // a version LinkedIn no longer takes is not sent again, by any pod
            }
            response = transport.send(endpoint, built, deadline);
        } finally {
            slots.release();
        }
        if (response.status() / 100 != 2) {
            LinkedInError error = LinkedInError.parse(json, response.status(), response.headers(), response.body(),
                    clock.instant());
            if (error.status() == 426) {
                version.inactive(endpoint, error.message());
                throw new LinkedInVersionInactiveException(endpoint, config.version(), error.message());
            }
            LOG.infof("linkedin call failed endpoint=%s status=%d code=%s serviceErrorCode=%s linkedinRequestId=%s",
                    endpoint,
                    error.status(), error.code().orElse("-"), error.serviceErrorCode().isPresent()
                            ? error.serviceErrorCode().getAsInt()
                            : "-",
                    error.linkedinRequestId().orElse("-"));
            throw error.status() >= 500
                    ? new LinkedInServerException(endpoint, error)
                    : new LinkedInException(endpoint, error);
        }
        return response;
    }

    private static Optional<String> requestId(LinkedInTransport.Answer response) {
        return LinkedInError.requestIdOf(response.headers());
    }

    /** A success's JSON; one cut at courier.linkedin.max-response-bytes fails naming the property, never half-read. */
    private JsonNode readTree(String endpoint, LinkedInTransport.Answer response) {
        if (response.truncated()) {
            throw unreadable(endpoint, response, "answer longer than courier.linkedin.max-response-bytes ("
                    + config.maxResponseBytes() + " bytes)");
        }
        byte[] body = response.body();
        try {
            return body.length == 0 ? json.nullNode() : json.readTree(body);
        } catch (IOException e) {
            return json.nullNode();
        }
    }

    /** A 2xx Courier cannot use: a LinkedInException (classified BAD_REQUEST: the same call would get it again). */
    private static LinkedInException unreadable(String endpoint, LinkedInTransport.Answer response, String why) {
        return new LinkedInException(endpoint,
                new LinkedInError(response.status(), OptionalInt.empty(), Optional.empty(),
                        why, List.of(), requestId(response), Optional.empty()));
    }

    private static String stripSlash(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
