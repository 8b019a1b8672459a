package dev.zerokube.sidecar;

import dev.zerokube.sidecar.aot.AotTrainCommand;
import dev.zerokube.sidecar.cli.CliCommand;
import dev.zerokube.sidecar.controller.ControllerCommand;
import dev.zerokube.sidecar.idtool.IdToolCommand;
import dev.zerokube.sidecar.inspect.InspectCommand;
import dev.zerokube.sidecar.lab.LabCommand;
import dev.zerokube.sidecar.node.NodeCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The {@code zerokube} command line: dispatches to one {@link Command} per subcommand. */
public final class Main {
    private static final Map<String, Supplier<Command>> COMMANDS = Map.of(
            "controller", ControllerCommand::new,
            "idtool", IdToolCommand::new,
            "inspect", InspectCommand::new,
            "lab", LabCommand::new,
            "node", () -> new NodeCommand(false),
            "root", () -> new NodeCommand(true),
            "cli", CliCommand::new,
            // not in the usage: the image build's (docker/zerokube/Dockerfile)
            AotTrainCommand.NAME, AotTrainCommand::new);

    private Main() {}

    public static void main(String[] args) {
        // Netty's buffer allocation events for JDK Flight Recorder: when on (its default wherever
        // JFR exists) Netty registers its event classes at start, about 130 classes and their
        // metadata in every node's memory whether or not anyone records. -Dio.netty.jfr.enabled=true
        // turns them back on for a profiling run.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs a command and returns its exit code (testable without exiting the JVM). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return args.length == 0 ? 1 : 0;
        }
        Supplier<Command> command = COMMANDS.get(args[0]);
        if (command == null) {
            err.println("zerokube: unknown command '" + args[0] + "' (try: zerokube help)");
            return 1;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return command.get().run(rest, out, err);
        } catch (RuntimeException e) {
            // Commands report bad input themselves; this is a bug in ours, still one line, no trace.
            err.println("zerokube " + args[0] + ": internal error: " + e);
            return 1;
        }
    }

    static void usage(PrintStream out) {
        out.println("""
                zerokube: ZeroTier-compatible overlay networking for Kubernetes

                usage: zerokube <command> [args]

                commands:
                  lab [--nodes N] [--netns] [--seconds S]             a root, a controller and N nodes on 127.0.0.1,
                                                                       pinging each other; a live table (docs/lab.md)
                  controller --home DIR [--port N] [--api-port N]     standalone network controller (docs/controller.md)
                  idtool generate|validate|getpublic|sign|verify ...   identities, as zerotier-idtool
                  idtool initmoon|genmoon|initplanet|genplanet ...     moons and planets
                  inspect [-j] --home DIR... CAPTURE                  dissect a capture of ZeroTier traffic
                  node --home DIR [--port N] [--join NWID]...          run a node (ZeroTier One home, local API)
                  node --pod [--userspace] [--tap-socket PATH]         the injected pod sidecar (settings from the
                                                                       webhook's environment; docs/injection.md)
                  root --home DIR [--port N] [--planet FILE]           run a root (rendezvous and relay)
                  cli [-D DIR] [-p PORT] [-j] info|listpeers|peers|listnetworks|join|leave ...
                                                                       as zerotier-cli, against the local API
                """);
    }
}
