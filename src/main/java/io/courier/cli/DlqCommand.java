package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code dlq list|show|replay|discard}: the dead-letter API from a terminal or a Kubernetes Job. Talks to a
 * running Courier over HTTP (the same checks, budget share and audit as the API and the ops page).
 */
final class DlqCommand {

    static final String USAGE = """
            usage: java -jar quarkus-run.jar dlq <list|show ID|replay|discard> [options]
              --url URL              Courier's HTTP address (env COURIER_URL, default http://localhost:8080)
              --token TOKEN          admin token (env COURIER_ADMIN_TOKEN); the audit records the token's name
              --reason TEXT          replay, discard: why, recorded in the audit
              --error-class C --account ID --job-type T --since ISO --until ISO --ids 1,2,3 --state NEW
              --limit N              at most N dead letters (default 100)
              --dry-run              replay: only say what would be replayed
              --yes                  replay: go ahead with more than 20 (bulk replays are dry runs without it)
              --force                replay: also jobs the loop guard refuses""";
    private static final int BULK = 20;
    private static final int CHUNK = 10;
    private static final ObjectMapper JSON = CliJson.MAPPER;

    private DlqCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        Map<String, String> options = new LinkedHashMap<>();
        String id = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--dry-run") || a.equals("--yes") || a.equals("--force")) {
                options.put(a.substring(2), "true");
            } else if (a.startsWith("--") && i + 1 < args.length) {
                options.put(a.substring(2), args[++i]);
            } else if (!a.startsWith("--") && id == null) {
                id = a;
            } else {
                err.println("unknown option " + a + "\n" + USAGE);
                return 2;
            }
        }
        AdminApi api = AdminApi.from(options);
        String shown = id;
        return api.exitCode(err, () -> switch (args[0]) {
            case "list" -> list(api, options, out);
            case "show" -> show(api, shown, out, err);
            case "replay" -> replay(api, options, out);
            case "discard" -> discard(api, options, out);
            default -> {
                err.println("unknown command " + args[0] + "\n" + USAGE);
                yield 2;
            }
        });
    }

    private static int list(AdminApi api, Map<String, String> options, PrintStream out) throws IOException {
        StringBuilder query = new StringBuilder("limit=" + options.getOrDefault("limit", "100"));
        Map.of("error-class", "errorClass", "account", "accountId", "job-type", "jobType", "since", "since",
                "until", "until", "ids", "ids", "state", "state").forEach((option, param) -> {
                    if (options.containsKey(option)) {
                        query.append('&').append(param).append('=')
                                .append(URLEncoder.encode(options.get(option), StandardCharsets.UTF_8));
                    }
                });
        JsonNode page = api.call("GET", "/admin/dead-letters?" + query, null);
        out.printf("%-8s %-10s %-20s %-28s %-20s %-7s %s%n", "ID", "STATE", "CLASS", "ACCOUNT", "TYPE", "REPLAYS",
                "MESSAGE");
        for (JsonNode d : page.path("items")) {
            String message = d.path("message").asText();
            out.printf("%-8d %-10s %-20s %-28s %-20s %-7d %s%n", d.get("id").asLong(), d.path("state").asText(),
                    d.path("errorClass").asText(), d.path("accountId").asText("-"), d.path("jobType").asText("-"),
                    d.path("replayCount").asInt(), message.length() > 80 ? message.substring(0, 79) + "…" : message);
        }
        out.println(page.path("count").asInt() + " dead letter(s)");
        return 0;
    }

    private static int show(AdminApi api, String id, PrintStream out, PrintStream err) throws IOException {
        if (id == null) {
            err.println("show needs a dead-letter id\n" + USAGE);
            return 2;
        }
        out.println(JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(api.call("GET", "/admin/dead-letters/" + id, null)));
        return 0;
    }

    private static int replay(AdminApi api, Map<String, String> options, PrintStream out) throws IOException {
        int limit = Integer.parseInt(options.getOrDefault("limit", "100"));
        JsonNode dry = api.call("POST", "/admin/dead-letters/replay", body(options, limit, true));
        int willReplay = dry.path("ids").size();
        out.printf("matched %d; would replay %d; refused by the loop guard %d; deferred for budget %d%n",
                dry.path("matched").asInt(), willReplay, dry.path("refusedLoopGuard").size(),
                dry.path("deferredForBudget").size());
        dry.path("budget").fields()
                .forEachRemaining(b -> out.printf("  %s: needs %d, app budget left %s, replay may take %s%n",
                        b.getKey(), b.getValue().path("needed").asInt(), b.getValue().path("remaining").asText("?"),
                        b.getValue().path("allowed").asText("no limit")));
        if (options.containsKey("dry-run") || willReplay == 0) {
            return 0;
        }
        if (willReplay > BULK && !options.containsKey("yes")) {
            out.printf("dry run only: %d is more than %d; add --yes to replay them%n", willReplay, BULK);
            return 0;
        }
        // In chunks, so the operator sees progress on a long, paced replay.
        int done = 0;
        Set<Long> notSent = new TreeSet<>();
        while (done < willReplay) {
            JsonNode chunk = api.call("POST", "/admin/dead-letters/replay",
                    body(options, Math.min(CHUNK, willReplay - done), false));
            int replayed = chunk.path("replayed").asInt();
            for (JsonNode n : chunk.path("notSent")) {
                if (notSent.add(n.path("id").asLong())) { // stays NEW: a later chunk may match it again
                    out.printf("%ndead letter %d not sent: %s%n", n.path("id").asLong(), n.path("reason").asText());
                }
            }
            if (replayed == 0) {
                break;
            }
            done += replayed;
            int bars = done * 30 / willReplay;
            out.printf("\r[%s%s] %d/%d replayed", "#".repeat(bars), " ".repeat(30 - bars), done, willReplay);
        }
        out.println();
        out.printf("replayed %d of %d%n", done, willReplay);
        return 0;
    }

    private static int discard(AdminApi api, Map<String, String> options, PrintStream out) throws IOException {
        JsonNode report = api.call("POST", "/admin/dead-letters/discard", body(options,
                Integer.parseInt(options.getOrDefault("limit", "100")), false));
        out.printf("discarded %d of %d matched%n", report.path("discarded").asInt(), report.path("matched").asInt());
        return 0;
    }

    private static String body(Map<String, String> options, int limit, boolean dryRun) {
        ObjectNode body = JSON.createObjectNode().put("limit", limit).put("dryRun", dryRun)
                .put("force", options.containsKey("force"));
        if (options.containsKey("reason")) {
            body.put("reason", options.get("reason"));
        }
        ObjectNode filter = body.putObject("filter");
        Map.of("error-class", "errorClass", "account", "accountId", "job-type", "jobType", "since", "since", "until",
                "until")
                .forEach((option, field) -> {
                    if (options.containsKey(option)) {
                        filter.put(field, options.get(option));
                    }
                });
        if (options.containsKey("ids")) {
            var ids = filter.putArray("ids");
            for (String id : options.get("ids").split(",")) {
                ids.add(id.trim());
            }
        }
        return body.toString();
    }
}
