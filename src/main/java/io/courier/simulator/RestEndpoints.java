package io.courier.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** LinkedIn's /rest and /v2 resources the jobs call (linkedin-api.md §5), with auth, version and quota checks. */
final class RestEndpoints {

    private static final DateTimeFormatter YYYYMM = DateTimeFormatter.ofPattern("yyyyMM");
    private static final DateTimeFormatter YYYYMMDD = DateTimeFormatter.ofPattern("yyyyMMdd");
    private final LinkedInSimulator sim;

    RestEndpoints(LinkedInSimulator sim) {
        this.sim = sim;
    }

    void userinfo(Exchange ex) throws IOException {
        Identities.Member m = admit(ex, "userinfo", false, Set.of("openid", "profile"), "userinfo.GET");
        if (m == null) {
            return;
        }
        String[] names = m.name().split(" ", 2);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sub", m.id());
        body.put("name", m.name());
        body.put("given_name", names[0]);
        body.put("family_name", names.length > 1 ? names[1] : "");
        body.put("picture", "https://media.licdn.com/dms/image/sim/" + m.id());
        body.put("locale", "en-US");
        body.put("email", m.email());
        body.put("email_verified", true);
        reply(ex, "userinfo", 200, body);
    }

    void createPost(Exchange ex) throws IOException {
        JsonNode body = ex.json();
        boolean forOrg = body.path("author").asText().startsWith("urn:li:organization:");
        Identities.Member m = admit(ex, "posts.create", true,
                Set.of(forOrg ? "w_organization_social" : "w_member_social"), "posts.CREATE");
        if (m == null) {
            return;
        }
        if (!body.path("author").isTextual()) {
            reply(ex, "posts.create", 422, Map.of("message",
                    "ERROR :: /author :: field is required but not found and has no default value\n", "status", 422));
            return;
        }
        String author = body.get("author").asText();
        if (forOrg ? !m.adminOf().contains(author) : !author.equals(m.urn())) {
            reply(ex, "posts.create", 403, Exchange.error(403, 100, "ACCESS_DENIED",
                    "Not enough permissions to access: posts.CREATE." + today()));
            return;
        }
        String commentary = body.path("commentary").asText("");
        if (commentary.length() > 3000) {
            reply(ex, "posts.create", 400, paramInvalid("commentary", "commentary is longer than 3000 characters"));
            return;
        }
        List<String> media = new java.util.ArrayList<>();
        String mediaProblem = mediaOf(body.path("content"), author, media);
        if (mediaProblem != null) {
            reply(ex, "posts.create", mediaProblem.startsWith("content.multiImage") ? 400 : 422,
                    paramInvalid("content", mediaProblem));
            return;
        }
        var created = sim.posts.create(author, commentary, body.path("visibility").asText("PUBLIC"), media,
                sim.clock.now(), sim.options().duplicateWindow());
        if (created.getValue()) {
            reply(ex, "posts.create", 422, Exchange.JSON.readTree("""
                    {"errorDetailType": "com.linkedin.common.error.BadRequest",
                     "message": "com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of %s",
                     "errorDetails": {"inputErrors": [{"description": "Duplicate post is detected", "input": {},
                                                       "code": "DUPLICATE_POST"}]},
                     "status": 422}""".formatted(created.getKey().urn())));
            return;
        }
        ex.http.getResponseHeaders().set("x-restli-id", created.getKey().urn());
        reply(ex, "posts.create", 201, null);
    }

    /**
     * The media a post's content names, into {@code media}; null when LinkedIn takes them, otherwise why not: each
     * image must be the author's and AVAILABLE, and a multiImage has 2 to 20 (linkedin-api.md §5).
     */
    private String mediaOf(JsonNode content, String author, List<String> media) {
        if (content.isMissingNode()) {
            return null;
        }
        if (content.has("multiImage")) {
            content.path("multiImage").path("images").forEach(i -> media.add(i.path("id").asText()));
            if (media.size() < 2 || media.size() > 20) {
                return "content.multiImage.images holds " + media.size() + " images; 2 to 20 are allowed";
            }
        } else {
            media.add(content.path("media").path("id").asText());
        }
        for (String urn : media) {
            Media.Medium medium = sim.media.medium(urn);
            if (medium == null || !medium.owner.equals(author)) {
                return urn + " is not a medium of " + author;
            }
            if (content.has("multiImage") && !medium.kind.equals("image")) {
                return "content.multiImage holds " + urn + ", which is not an image";
            }
            if (medium.kind.equals("document") && !content.path("media").path("title").isTextual()) {
                return "content.media.title is required for a document";
            }
            String status = medium.status(sim.clock.now());
            if (!status.equals("AVAILABLE")) {
                return urn + " is " + status + ", not AVAILABLE";
            }
        }
        return null;
    }

    /**
     * POST /rest/{images|videos|documents}?action=initializeUpload: the medium's URN and its pre-signed upload
     * URL(s); for videos also ?action=finalizeUpload.
     */
    void mediaAction(Exchange ex, String kind) throws IOException {
        String action = ex.query.getOrDefault("action", "");
        String resource = kind + "s." + action;
        JsonNode body = ex.json();
        if (action.equals("finalizeUpload") && kind.equals("video")) {
            finalizeVideo(ex, body.path("finalizeUploadRequest"));
            return;
        }
        JsonNode request = body.path("initializeUploadRequest");
        String owner = request.path("owner").asText("");
        boolean forOrg = owner.startsWith("urn:li:organization:");
        Identities.Member m = admit(ex, resource, true,
                Set.of(forOrg ? "w_organization_social" : "w_member_social"), kind + "s.ACTION-" + action);
        if (m == null) {
            return;
        }
        if (!action.equals("initializeUpload")) {
            reply(ex, resource, 400, paramInvalid("action", "unknown action '" + action + "'"));
            return;
        }
        if (forOrg ? !m.adminOf().contains(owner) : !owner.equals(m.urn())) {
            reply(ex, resource, 403, Exchange.error(403, 100, "ACCESS_DENIED",
                    "Not enough permissions to access: " + kind + "s.ACTION-initializeUpload." + today()));
            return;
        }
        long size = request.path("fileSizeBytes").asLong(0);
        if (kind.equals("video") && size <= 0) {
            reply(ex, resource, 400, paramInvalid("fileSizeBytes", "fileSizeBytes is required for a video"));
            return;
        }
        Media.Medium medium = sim.media.initialize(kind, owner, size, sim.clock.now());
        String id = medium.urn.substring(medium.urn.lastIndexOf(':') + 1);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("uploadUrlExpiresAt", medium.expiresAt.toEpochMilli());
        if (kind.equals("video")) {
            List<Map<String, Object>> instructions = new java.util.ArrayList<>();
            for (int i = 0; i < medium.ranges.length; i++) {
                instructions.add(Map.of("uploadUrl", uploadUrl(kind, id, i, medium), "firstByte",
                        medium.ranges[i][0], "lastByte", medium.ranges[i][1]));
            }
            value.put("video", medium.urn);
            value.put("uploadToken", medium.uploadToken);
            value.put("uploadInstructions", instructions);
        } else {
            value.put("uploadUrl", uploadUrl(kind, id, 0, medium));
            value.put(kind, medium.urn);
        }
        reply(ex, resource, 200, Map.of("value", value));
    }

    private String uploadUrl(String kind, String id, int part, Media.Medium medium) {
        return sim.baseUrl() + "/upload/" + kind + "s/" + id + "/" + part + "?sig=" + medium.signature;
    }

    private void finalizeVideo(Exchange ex, JsonNode request) throws IOException {
        Identities.Member m = admit(ex, "videos.finalizeUpload", true,
                Set.of("w_member_social", "w_organization_social"), "videos.ACTION-finalizeUpload");
        if (m == null) {
            return;
        }
        List<String> partIds = new java.util.ArrayList<>();
        request.path("uploadedPartIds").forEach(id -> partIds.add(id.asText()));
        String refused = sim.media.finalizeVideo(request.path("video").asText(""),
                request.path("uploadToken").asText(""), partIds, sim.clock.now());
        if (refused != null) {
            reply(ex, "videos.finalizeUpload", 400, paramInvalid("finalizeUploadRequest", refused));
            return;
        }
        reply(ex, "videos.finalizeUpload", 200, null);
    }

    /** PUT /upload/{kind}s/{id}/{part}?sig=…: the bytes, with no token (the URL is the credential). */
    void upload(Exchange ex) throws IOException {
        String[] segments = ex.path.split("/"); // "", "upload", "videos", id, part
        if (segments.length != 5) {
            ex.send(404, Exchange.error(404, null, "RESOURCE_NOT_FOUND", "No virtual resource found"));
            return;
        }
        String kind = segments[2].substring(0, segments[2].length() - 1);
        String prefix = switch (kind) {
            case "video" -> "urn:li:video:";
            case "document" -> "urn:li:document:";
            default -> "urn:li:image:";
        };
        LinkedInSimulator.sleep(sim.media.putDelay.toMillis());
        int[] status = new int[1];
        String etag;
        try {
            etag = sim.media.put(prefix + segments[3], Integer.parseInt(segments[4]), ex.query.getOrDefault("sig", ""),
                    ex.body().length, sim.clock.now(), status);
        } catch (NumberFormatException e) {
            etag = null;
            status[0] = 404;
        }
        if (etag != null) {
            ex.http.getResponseHeaders().set("ETag", etag);
        }
        reply(ex, kind + "s.upload", status[0], status[0] == 201
                ? null
                : Map.of("message", status[0] == 400
                        ? "The part's size does not match its byte range"
                        : "Request has expired or the signature does not match", "status", status[0]));
    }

    /** GET /rest/{images|videos|documents}/{encoded urn}: its status. */
    void medium(Exchange ex, String kind) throws IOException {
        String resource = kind + "s.get";
        Identities.Member m = admit(ex, resource, true, Set.of("w_member_social", "w_organization_social"),
                kind + "s.GET");
        if (m == null) {
            return;
        }
        String urn = URLDecoder.decode(ex.path.substring(("/rest/" + kind + "s/").length()), StandardCharsets.UTF_8);
        Media.Medium medium = sim.media.medium(urn);
        if (medium == null || !medium.kind.equals(kind)) {
            reply(ex, resource, 404, Exchange.error(404, null, "RESOURCE_NOT_FOUND", "No virtual resource found"));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", urn);
        out.put("owner", medium.owner);
        String status = medium.status(sim.clock.now());
        out.put("status", status);
        if (status.equals("PROCESSING_FAILED")) {
            out.put("processingFailureReason", "The file could not be processed (simulated)");
        }
        reply(ex, resource, 200, out);
    }

    /** GET /files/{name}: the test media server (its files are put with PUT /sim/files/{name}). */
    void file(Exchange ex) throws IOException {
        Media.File file = sim.media.file(ex.path.substring("/files/".length()));
        if (file == null) {
            ex.send(404, "not found".getBytes(StandardCharsets.UTF_8), "text/plain");
        } else if (file.redirectTo() != null) {
            ex.redirect(file.redirectTo());
        } else {
            ex.send(200, file.bytes(), file.contentType());
        }
    }

    /**
     * POST /rest/socialActions/{encoded post urn}/comments: 201 with the comment's URN in x-restli-id. 404 for a
     * post that does not exist, or that was created less than the comments' visibility delay ago.
     */
    void createComment(Exchange ex) throws IOException {
        JsonNode body = ex.json();
        String actor = body.path("actor").asText("");
        boolean forOrg = actor.startsWith("urn:li:organization:");
        Identities.Member m = admit(ex, "comments.create", true,
                Set.of(forOrg ? "w_organization_social" : "w_member_social"), "socialActions.comments.CREATE");
        if (m == null) {
            return;
        }
        String urn = URLDecoder.decode(ex.path.substring("/rest/socialActions/".length(),
                ex.path.length() - "/comments".length()), StandardCharsets.UTF_8);
        if (forOrg ? !m.adminOf().contains(actor) : !actor.equals(m.urn())) {
            reply(ex, "comments.create", 403, Exchange.error(403, 100, "ACCESS_DENIED",
                    "Not enough permissions to access: socialActions.comments.CREATE." + today()));
            return;
        }
        if (!body.path("object").asText("").equals(urn) || !body.path("message").path("text").isTextual()) {
            reply(ex, "comments.create", 400, paramInvalid("object", "object must be the post of the path, and"
                    + " message.text is required"));
            return;
        }
        Posts.Post post = sim.posts.byUrn(urn);
        if (post == null || post.createdAt().plus(sim.comments.visibleAfter).isAfter(sim.clock.now())) {
            reply(ex, "comments.create", 404, Exchange.error(404, null, "RESOURCE_NOT_FOUND",
                    "No virtual resource found"));
            return;
        }
        String parent = body.path("parentComment").asText(null);
        if (parent != null && !sim.comments.exists(urn, parent)) {
            reply(ex, "comments.create", 400, paramInvalid("parentComment", parent + " is not a comment of " + urn));
            return;
        }
        Comments.Comment comment = sim.comments.add(urn, actor, body.path("message").path("text").asText(), parent,
                sim.clock.now());
        ex.http.getResponseHeaders().set("x-restli-id", comment.urn());
        reply(ex, "comments.create", 201, null);
    }

    /**
     * GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:{encoded urn})&queryType=…: one metric of the
     * member's own post. The counts are made up but stable per post; COMMENT counts the post's comments.
     */
    void postAnalytics(Exchange ex) throws IOException {
        Identities.Member m = admit(ex, "memberCreatorPostAnalytics", true, Set.of("r_member_postAnalytics"),
                "memberCreatorPostAnalytics.FINDER-entity");
        if (m == null) {
            return;
        }
        String entity = ex.query.getOrDefault("entity", "");
        String type = ex.query.getOrDefault("queryType", "");
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\((share|ugc):(urn:li:.+)\\)")
                .matcher(entity);
        Set<String> types = Set.of("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT");
        if (!"entity".equals(ex.query.get("q")) || !matcher.matches() || !types.contains(type)) {
            reply(ex, "memberCreatorPostAnalytics", 400, paramInvalid("entity",
                    "q=entity, entity=(share:urn) and queryType in " + types + " are required"));
            return;
        }
        Posts.Post post = sim.posts.byUrn(matcher.group(2));
        if (post == null || !post.author().equals(m.urn())) {
            reply(ex, "memberCreatorPostAnalytics", 404, Exchange.error(404, null, "RESOURCE_NOT_FOUND",
                    "No virtual resource found"));
            return;
        }
        int seed = Math.abs(post.urn().hashCode() % 1000);
        long count = switch (type) {
            case "IMPRESSION" -> 100 + seed;
            case "MEMBERS_REACHED" -> 50 + seed / 2;
            case "RESHARE" -> seed % 7;
            case "REACTION" -> seed % 40;
            default -> sim.comments.on(post.urn()).size();
        };
        reply(ex, "memberCreatorPostAnalytics", 200, Map.of("paging", Map.of("start", 0, "count", 10,
                "links", List.of()), "elements",
                List.of(Map.of("count", count, "metricType", Map.of(
                        "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1", type)))));
    }

    /** GET /rest/posts/{encoded urn}: the post, or 404 (also for a deleted one). */
    void post(Exchange ex) throws IOException {
        Identities.Member m = admit(ex, "posts.get", true, Set.of("w_member_social", "r_organization_social"),
                "posts.GET");
        if (m == null) {
            return;
        }
        Posts.Post post = sim.posts.byUrn(URLDecoder.decode(ex.path.substring("/rest/posts/".length()),
                StandardCharsets.UTF_8));
        if (post == null) {
            reply(ex, "posts.get", 404, Exchange.error(404, null, "RESOURCE_NOT_FOUND", "No virtual resource found"));
        } else {
            reply(ex, "posts.get", 200, post.toJson());
        }
    }

    void postsByAuthor(Exchange ex) throws IOException {
        if (ex.rawQuery != null && ex.rawQuery.contains("List%28")) {
            // Encoding the Rest.li structure is an error on LinkedIn (linkedin-api.md §6).
            reply(ex, "posts.author", 400, paramInvalid("author", "Rest.li structure characters must not be encoded"));
            return;
        }
        Identities.Member m = admit(ex, "posts.author", true, Set.of("w_member_social", "r_organization_social"),
                "posts.FINDER-author");
        if (m == null) {
            return;
        }
        String author = ex.query.getOrDefault("author", "");
        List<Map<String, Object>> all = sim.posts.byAuthor(author).stream().map(Posts.Post::toJson).toList();
        paged(ex, "posts.author", all);
    }

    void organizationAcls(Exchange ex) throws IOException {
        Identities.Member m = admit(ex, "organizationAcls", true,
                Set.of("rw_organization_admin", "r_organization_social"),
                "organizationAcls.FINDER-roleAssignee");
        if (m == null) {
            return;
        }
        List<Map<String, Object>> acls = m.adminOf().stream().map(org -> Map.<String, Object>of("roleAssignee", m.urn(),
                "role", ex.query.getOrDefault("role", "ADMINISTRATOR"), "state",
                ex.query.getOrDefault("state", "APPROVED"),
                "organization", org)).toList();
        paged(ex, "organizationAcls", acls);
    }

    void shareStatistics(Exchange ex) throws IOException {
        Identities.Member m = admit(ex, "shareStatistics", true,
                Set.of("r_organization_social", "rw_organization_admin"),
                "organizationalEntityShareStatistics.FINDER-organizationalEntity");
        if (m == null) {
            return;
        }
        String org = ex.query.getOrDefault("organizationalEntity", "");
        if (!m.adminOf().contains(org)) {
            reply(ex, "shareStatistics", 403, Exchange.error(403, 100, "ACCESS_DENIED",
                    "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity."
                            + today()));
            return;
        }
        long seed = Math.abs(org.hashCode()) % 1000 + sim.posts.byAuthor(org).size();
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("impressionCount", seed * 37);
        totals.put("uniqueImpressionsCount", seed * 21);
        totals.put("clickCount", seed * 3);
        totals.put("likeCount", seed * 2);
        totals.put("commentCount", seed);
        totals.put("shareCount", seed / 2);
        totals.put("engagement", seed == 0 ? 0.0 : (seed * 6.5) / (seed * 37));
        paged(ex, "shareStatistics", List.of(Map.of("organizationalEntity", org, "totalShareStatistics", totals)));
    }

    private void paged(Exchange ex, String resource, List<Map<String, Object>> all) throws IOException {
        int start = Math.max(0, intParam(ex, "start", 0));
        int count = Math.min(100, Math.max(1, intParam(ex, "count", 10)));
        List<Map<String, Object>> page = all.subList(Math.min(start, all.size()), Math.min(start + count, all.size()));
        reply(ex, resource, 200,
                Map.of("elements", page, "paging", Map.of("start", start, "count", count, "total", all.size())));
    }

    /**
     * The checks every call passes in LinkedIn's order: token, version, scope, quota. Answers the error itself
     * and returns null when the call is refused.
     */
    private Identities.Member admit(Exchange ex, String resource, boolean versioned, Set<String> anyScope,
            String permission) throws IOException {
        String auth = ex.header("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : "";
        Instant now = sim.clock.now();
        if (token.isEmpty()) {
            reply(ex, resource, 401, Exchange.error(401, 401, null, "Empty oauth2_access_token"));
            return null;
        }
        Identities.AccessToken at = sim.identities.accessTokens.get(token);
        if (at == null) {
            reply(ex, resource, 401, Exchange.error(401, 65600, null, "Invalid access token"));
            return null;
        }
        ex.memberId = at.memberId();
        if (at.revoked()) {
            reply(ex, resource, 401, Exchange.error(401, 65601, "REVOKED_ACCESS_TOKEN",
                    "The token used in the request has been revoked by the user"));
            return null;
        }
        if (!at.expiresAt().isAfter(now)) {
            reply(ex, resource, 401,
                    Exchange.error(401, 65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"));
            return null;
        }
        if (versioned && !versionOk(ex, resource, now)) {
            return null;
        }
        if (at.scopes().stream().noneMatch(anyScope::contains)) {
            reply(ex, resource, 403, Exchange.error(403, 100, "ACCESS_DENIED", "Not enough permissions to access: "
                    + permission + "." + (versioned ? today() : "NO_VERSION")));
            return null;
        }
        String refusedBy = sim.quotas.take(resource, at.memberId(), now);
        if (refusedBy != null) {
            reply(ex, resource, 429, Exchange.error(429, 101, "TOO_MANY_REQUESTS",
                    "Resource level throttle " + refusedBy + " DAY limit for calls to this resource is reached."));
            return null;
        }
        return sim.identities.members.get(at.memberId());
    }

    private boolean versionOk(Exchange ex, String resource, Instant now) throws IOException {
        String version = ex.header("LinkedIn-Version");
        if (version == null || version.isBlank()) {
            reply(ex, resource, 400, Exchange.error(400, null, "VERSION_MISSING",
                    "A version must be present. Please specify a version by adding the LinkedIn-Version header."));
            return false;
        }
        YearMonth current = YearMonth.from(now.atZone(ZoneOffset.UTC));
        boolean active = false;
        for (int i = 0; i < 12; i++) {
            active |= current.minusMonths(i).format(YYYYMM).equals(version.trim());
        }
        active &= !sim.inactiveVersions.contains(version.trim());
        if (!active) {
            reply(ex, resource, 426, Exchange.error(426, null, "NONEXISTENT_VERSION",
                    "Requested version " + version.trim() + "01 is not active"));
        }
        return active;
    }

    private static Object paramInvalid(String field, String description) {
        return Map.of("errorDetailType", "com.linkedin.common.error.BadRequest",
                "message", "Invalid param. Please see errorDetails for more information.",
                "errorDetails", Map.of("inputErrors", List.of(Map.of("description", description,
                        "input", Map.of("inputPath", Map.of("fieldPath", field)), "code", "PARAM_INVALID"))),
                "status", 400);
    }

    private String today() {
        return sim.clock.now().atZone(ZoneOffset.UTC).format(YYYYMMDD);
    }

    private static int intParam(Exchange ex, String name, int fallback) {
        try {
            return Integer.parseInt(ex.query.getOrDefault(name, Integer.toString(fallback)));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void reply(Exchange ex, String resource, int status, Object body) throws IOException {
        sim.count(resource, status);
        ex.send(status, body);
    }
}
