package io.courier.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * Entry point of the one artifact: with no arguments it runs the Courier service; {@code publish} runs the
 * bundled job producer without starting the service (no database, Redis or consumers needed); {@code dlq} and
 * {@code tokens} are clients of a running Courier's admin API.
 */
@QuarkusMain
public class CourierMain {

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("publish")) {
            System.exit(
                    PublishCommand.run(Arrays.copyOfRange(args, 1, args.length), System.in, System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("dlq")) {
            System.exit(DlqCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("tokens")) {
            System.exit(TokensCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && (args[0].equals("help") || args[0].equals("--help"))) {
            System.out.println("""
                    usage: java -jar quarkus-run.jar                 run the Courier service
                           java -jar quarkus-run.jar publish [opts]  publish jobs (one JSON per line on stdin)
                           java -jar quarkus-run.jar dlq ...         list, show, replay, discard dead letters
                           java -jar quarkus-run.jar tokens ...      token rows per key id; rekey after a rotation
                    """ + PublishCommand.USAGE + "\n" + DlqCommand.USAGE + "\n" + TokensCommand.USAGE);
            return;
        }
        Quarkus.run(null, CourierMain::exit, args);
    }

    /**
     * Console logging is asynchronous (a job thread never waits for stdout), so a failed start must drain the log
     * queue before the JVM exits, or the message naming the bad property would be lost with it.
     */
    private static void exit(int code, Throwable failure) {
        java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
        for (java.util.logging.Handler handler : root.getHandlers()) {
            handler.close();
        }
        // The log line Quarkus wrote about the failure may still be queued: say it again, cause by cause.
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            System.err.println((cause == failure ? "Courier failed to start: " : "  caused by: ") + cause.getMessage());
        }
        System.exit(code);
    }
}
