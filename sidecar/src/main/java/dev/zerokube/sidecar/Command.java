package dev.zerokube.sidecar;

import java.io.PrintStream;
import java.util.List;

/**
 * One {@code zerokube} subcommand. Implementations write only to the streams given and return the
 * process exit code, so tests run them in-process.
 */
public interface Command {
    /** Runs with the arguments after the command name; returns the exit code (0 ok, 1 failure). */
    int run(List<String> args, PrintStream out, PrintStream err);
}
