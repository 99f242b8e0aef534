package io.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code tokens keys|rekey}: key rotation from a terminal or a Kubernetes Job. Talks to a running Courier over HTTP
 * ({@code /admin/tokens}); the rekey goes in steps of --batch rows, printing progress, and can be stopped and run
 * again at any time (rows already under the current key are not touched).
 */
final class TokensCommand {

    static final String USAGE = """
            usage: java -jar quarkus-run.jar tokens <keys|rekey> [options]
              --url URL              Courier's HTTP address (env COURIER_URL, default http://localhost:8080)
              --token TOKEN          admin token (env COURIER_ADMIN_TOKEN)
              --batch N              rekey: rows per request (default 500)""";
    private static final ObjectMapper JSON = CliJson.MAPPER;

    private TokensCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            } else {
                err.println("unknown option " + args[i] + "\n" + USAGE);
                return 2;
            }
        }
        AdminApi api = AdminApi.from(options);
        return api.exitCode(err, () -> switch (args[0]) {
            case "keys" -> {
                printRows(api.call("GET", "/admin/tokens/keys", null), out);
                yield 0;
            }
            case "rekey" -> rekey(api, Integer.parseInt(options.getOrDefault("batch", "500")), out);
            default -> {
                err.println("unknown command " + args[0] + "\n" + USAGE);
                yield 2;
            }
        });
    }

    /** Exit 0 when every row is under the current key; 1 when some are not (unreadable, or written meanwhile). */
    private static int rekey(AdminApi api, int batch, PrintStream out) throws IOException {
        JsonNode step;
        String next = null;
        int rekeyed = 0;
        int unreadable = 0;
        do {
            ObjectNode body = JSON.createObjectNode().put("limit", batch);
            body.put("after", next);
            step = api.call("POST", "/admin/tokens/rekey", body.toString());
            rekeyed += step.path("rekeyed").asInt();
            for (JsonNode row : step.path("unreadable")) {
                unreadable++;
                out.printf("%naccount %s: no configured key opens its row (key id %s); reconnect it%n",
                        row.path("accountId").asText(), row.path("keyId").asText());
            }
            long done = step.path("done").asLong();
            long total = step.path("total").asLong();
            int bars = total == 0 ? 30 : (int) (done * 30 / total);
            out.printf("\r[%s%s] %d/%d rows under key %s", "#".repeat(bars), " ".repeat(30 - bars), done, total,
                    step.path("currentKeyId").asText());
            next = step.path("next").isTextual() ? step.path("next").asText() : null;
        } while (next != null);
        out.println();
        out.printf("rekeyed %d row(s); %d unreadable%n", rekeyed, unreadable);
        printRows(step, out);
        return step.path("done").asLong() == step.path("total").asLong() ? 0 : 1;
    }

    private static void printRows(JsonNode answer, PrintStream out) {
        out.printf("current key id: %s%n", answer.path("currentKeyId").asText());
        answer.path("rowsByKeyId").fields()
                .forEachRemaining(e -> out.printf("  %-20s %d row(s)%n", e.getKey(), e.getValue().asLong()));
    }
}
