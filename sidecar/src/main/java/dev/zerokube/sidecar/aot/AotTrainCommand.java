package dev.zerokube.sidecar.aot;

import dev.zerokube.sidecar.Command;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code zerokube aot-train [--timeout SECONDS] FILE} (not in the usage: it is the image build's):
 * trains the sidecar's AOT cache into {@code FILE} with {@link AotTrainer}, the sidecar launched
 * exactly as this process was (same java, same JVM flags and jar; {@code JAVA_TOOL_OPTIONS} through
 * the environment), so the cache matches the JVM and flags it was run with. docker/zerokube/Dockerfile
 * runs it as the image's ENTRYPOINT does, with the flags the webhook injects. Exit code 0 with the
 * cache written and checked, 1 with one line saying why.
 */
public final class AotTrainCommand implements Command {
    /** The command's name (Main's table). */
    public static final String NAME = "aot-train";
    /** Default bound on the whole training (a cold JVM under emulation in an image build is slow; a hang is worse). */
    static final Duration TIMEOUT_DEFAULT = Duration.ofSeconds(300);
    private static final String USAGE = "usage: zerokube " + NAME + " [--timeout SECONDS] FILE";

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Duration timeout = TIMEOUT_DEFAULT;
        Path output = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--timeout")) {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("--timeout needs a number of seconds");
                    }
                    long s = Long.parseLong(args.get(++i));
                    if (s <= 0) {
                        throw new IllegalArgumentException("--timeout must be positive");
                    }
                    timeout = Duration.ofSeconds(s);
                } else if (a.startsWith("-") || output != null) {
                    throw new IllegalArgumentException("unexpected " + a);
                } else {
                    output = Path.of(a);
                }
            }
            if (output == null) {
                throw new IllegalArgumentException("FILE is required");
            }
        } catch (NumberFormatException e) {
            err.println("zerokube " + NAME + ": --timeout needs a number of seconds");
            err.println(USAGE);
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("zerokube " + NAME + ": " + e.getMessage());
            err.println(USAGE);
            return 1;
        }
        ProcessHandle.Info self = ProcessHandle.current().info();
        Optional<List<String>> launch = self.command().flatMap(exe -> self.arguments()
                .flatMap(argv -> launchOf(exe, Arrays.asList(argv), args)));
        if (launch.isEmpty()) {
            err.println("zerokube " + NAME + ": cannot read this JVM's command line (ProcessHandle.Info) to launch the"
                    + " sidecar the same way");
            return 1;
        }
        try {
            AotTrainer.Result r = AotTrainer.train(new AotTrainer.Options(launch.get(), output, timeout,
                    AotTrainer.NETWORK, null, err));
            out.printf("zerokube %s: %s (%.1f MiB) trained on the sidecar's start (ready after %d ms untrained),"
                    + " checked; %d ms in all%n", NAME, output, r.cacheBytes() / 1048576.0, r.readyMs(), r.totalMs());
            return 0;
        } catch (AotTrainer.TrainingFailed e) {
            err.println("zerokube " + NAME + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("zerokube " + NAME + ": interrupted");
            return 1;
        }
    }

    /**
     * How this JVM was launched, up to its main class or jar: the executable and the arguments
     * before {@code aot-train}, without AOT flags of its own (the trainer adds its own
     * {@code -XX:AOTCacheOutput}, and the check {@code -XX:AOTCache}). Empty when the command line
     * does not end with {@code aot-train ARGS}.
     *
     * @param executable the java executable
     * @param argv this process's arguments after the executable
     * @param commandArgs the arguments after {@code aot-train}
     */
    static Optional<List<String>> launchOf(String executable, List<String> argv, List<String> commandArgs) {
        int name = argv.size() - commandArgs.size() - 1;
        if (name < 1 || !argv.get(name).equals(NAME) || !argv.subList(name + 1, argv.size()).equals(commandArgs)) {
            return Optional.empty();
        }
        List<String> launch = new ArrayList<>();
        launch.add(executable);
        for (String a : argv.subList(0, name)) {
            if (!a.startsWith("-XX:AOTCache=") && !a.startsWith("-XX:AOTCacheOutput=")
                    && !a.startsWith("-XX:AOTConfiguration=") && !a.startsWith("-XX:AOTMode=")) {
                launch.add(a);
            }
        }
        return Optional.of(List.copyOf(launch));
    }
}
