package io.courier.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/** Faults queued through POST /sim/faults, applied in order to the next matching calls. */
final class Faults {

    /**
     * STATUS answers the fault's status and body; HANG sends nothing, then closes; RESET closes at once; STALL lets
     * the endpoint do its work (a POST /rest/posts creates the post) and sends its status line and headers, then
     * stalls in the middle of the body.
     */
    enum Mode {
        STATUS, HANG, RESET, STALL
    }

    /**
     * times = -1 means until cleared; percent below 100 applies the fault to that share of matching calls.
     * bodyBytes > 0 (STATUS) makes the body an HTML page of that size; sentBytes (STALL) is how much of the body
     * goes out before the stall; refreshToken, when set, matches only token calls with that refresh_token;
     * accessToken only API calls with that bearer token (one account's calls).
     */
    record Fault(String id, String method, String pathPrefix, Mode mode, int status, String body,
            Map<String, String> headers, int times, long latencyMs, int percent, int bodyBytes, int sentBytes,
            String refreshToken, String accessToken) {
        Fault {
            headers = Map.copyOf(headers);
        }
    }

    private final List<Fault> queued = new ArrayList<>();
    private final List<Integer> remaining = new ArrayList<>();

    synchronized String add(Fault fault) {
        queued.add(fault);
        remaining.add(fault.times());
        return fault.id();
    }

    /** The first queued fault matching this call, consuming one of its uses. The form is read only if needed. */
    synchronized Optional<Fault> take(String method, String path, Supplier<String> refreshToken,
            Supplier<String> accessToken) {
        for (int i = 0; i < queued.size(); i++) {
            Fault f = queued.get(i);
            if ((f.method() == null || f.method().equalsIgnoreCase(method)) && path.startsWith(f.pathPrefix())
                    && (f.refreshToken() == null || f.refreshToken().equals(refreshToken.get()))
                    && (f.accessToken() == null || f.accessToken().equals(accessToken.get()))
                    && ThreadLocalRandom.current().nextInt(100) < f.percent()) {
                int left = remaining.get(i);
                if (left > 0) {
                    remaining.set(i, left - 1);
                    if (left == 1) {
                        queued.remove(i);
                        remaining.remove(i);
                    }
                }
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    synchronized void clear() {
        queued.clear();
        remaining.clear();
    }
}
