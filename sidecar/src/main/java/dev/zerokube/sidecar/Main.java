package dev.zerokube.sidecar;

import java.io.PrintStream;
import java.util.Arrays;

/** The {@code zerokube} command line: dispatches to one subcommand. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command and returns its exit code (testable without exiting the JVM). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return args.length == 0 ? 1 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            default -> {
                err.println("zerokube: unknown command '" + args[0] + "' (try: zerokube help)");
                return 1;
            }
        }
    }

    static void usage(PrintStream out) {
        out.println("""
                zerokube: ZeroTier-compatible overlay networking for Kubernetes

                usage: zerokube <command> [args]

                commands:
                  idtool generate|validate|getpublic|sign|verify ...   identities, as zerotier-idtool
                  inspect [-j] --home DIR... CAPTURE                  dissect a capture of ZeroTier traffic
                """);
    }
}
