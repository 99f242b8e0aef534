package io.courier.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Faults queued through POST /sim/faults, applied in order to the next matching calls. */
final class Faults {

    enum Mode { STATUS, HANG, RESET }

    /** times = -1 means until cleared; percent below 100 applies the fault to that share of matching calls. */
    record Fault(String id, String method, String pathPrefix, Mode mode, int status, String body,
                 Map<String, String> headers, int times, long latencyMs, int percent) {}

    private final List<Fault> queued = new ArrayList<>();
    private final List<Integer> remaining = new ArrayList<>();

    synchronized String add(String method, String pathPrefix, Mode mode, int status, String body,
                            Map<String, String> headers, int times, long latencyMs, int percent) {
        String id = UUID.randomUUID().toString();
        queued.add(new Fault(id, method, pathPrefix, mode, status, body, Map.copyOf(headers), times, latencyMs, percent));
        remaining.add(times);
        return id;
    }

    /** The first queued fault matching this call, consuming one of its uses. */
    synchronized Optional<Fault> take(String method, String path) {
        for (int i = 0; i < queued.size(); i++) {
            Fault f = queued.get(i);
            if ((f.method() == null || f.method().equalsIgnoreCase(method)) && path.startsWith(f.pathPrefix())
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
