package io.courier.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LinkedIn's two daily counters per resource (linkedin-api.md §4): one for the application, one per member,
 * in fixed windows aligned to the epoch (so a 1-day window resets at 00:00 UTC). Refused calls do not count.
 */
final class Quotas {

    static final String[] RESOURCES = {"posts.create", "posts.get", "posts.author", "userinfo", "organizationAcls",
            "shareStatistics", "images.initializeUpload", "images.get", "videos.initializeUpload",
            "videos.finalizeUpload", "videos.get",
            "documents.initializeUpload", "documents.get", "comments.create", "memberCreatorPostAnalytics"};

    record Limit(long app, long member) {}

    private final Map<String, Limit> limits = new ConcurrentHashMap<>();
    private final Map<String, Long> used = new ConcurrentHashMap<>();
    private volatile Duration window;
    private long currentWindow;

    Quotas(Duration window) {
        this.window = window;
        for (String r : RESOURCES) {
            limits.put(r, new Limit(1_000_000, 100_000));
        }
    }

    /**
     * null when the call may go (and is counted), else which limit refused it: "APPLICATION" or
     * "APPLICATION_AND_MEMBER".
     */
    synchronized String take(String resource, String memberId, Instant now) {
        long w = now.toEpochMilli() / window.toMillis();
        Limit limit = limits.get(resource);
        String appKey = w + "|" + resource;
        String memberKey = appKey + "|" + memberId;
        if (used.getOrDefault(appKey, 0L) >= limit.app()) {
            return "APPLICATION";
        }
        if (used.getOrDefault(memberKey, 0L) >= limit.member()) {
            return "APPLICATION_AND_MEMBER";
        }
        used.merge(appKey, 1L, Long::sum);
        used.merge(memberKey, 1L, Long::sum);
        if (w != currentWindow) { // a new window: forget the old counts
            used.keySet().removeIf(k -> Long.parseLong(k.substring(0, k.indexOf('|'))) < w);
            currentWindow = w;
        }
        return null;
    }

    synchronized void configure(Duration newWindow, Map<String, Limit> newLimits) {
        if (newWindow != null) {
            window = newWindow;
        }
        limits.putAll(newLimits);
    }

    synchronized Map<String, Object> describe(Instant now) {
        long w = now.toEpochMilli() / window.toMillis();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windowSeconds", window.toSeconds());
        out.put("windowEndsAt", Instant.ofEpochMilli((w + 1) * window.toMillis()).toString());
        Map<String, Object> resources = new LinkedHashMap<>();
        limits.forEach((r, l) -> resources.put(r, Map.of("app", l.app(), "member", l.member(),
                "appUsed", used.getOrDefault(w + "|" + r, 0L))));
        out.put("resources", resources);
        return out;
    }

    synchronized void reset() {
        used.clear();
    }
}
