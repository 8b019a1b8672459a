package dev.zerokube.e2e.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command (iproute2, iptables, ping...) to completion with a time limit and
 * returns what it printed. A failing or hanging command becomes an exception that names the
 * command and quotes its stderr, so a broken lab set-up says exactly which step failed.
 */
public final class Command {
    private static final long DEFAULT_TIMEOUT_MS = 20_000;

    private Command() {
    }

    /** What a finished command printed, and how it exited. */
    public record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code argv}; throws {@link CommandFailedException} unless it exits with 0. */
    public static String run(String... argv) {
        Result r = attempt(DEFAULT_TIMEOUT_MS, argv);
        if (!r.ok()) {
            throw new CommandFailedException(r);
        }
        return r.stdout();
    }

    /** Runs {@code argv} and returns its result whatever the exit code; hangs become failures. */
    public static Result attempt(long timeoutMs, String... argv) {
        List<String> command = List.of(argv);
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing is ever written to the command's stdin
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(command, -1, out.join(), "timed out after " + timeoutMs + " ms; " + err.join());
            }
            return new Result(command, p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, Thread::startVirtualThread);
    }

    /** A command that exited with a non-zero code or did not finish in time. */
    public static final class CommandFailedException extends RuntimeException {
        private final transient Result result;

        CommandFailedException(Result r) {
            super("`" + String.join(" ", r.argv()) + "` exited with " + r.exitCode() + ": " + r.stderr().strip());
            this.result = r;
        }

        public Result result() {
            return result;
        }
    }
}
