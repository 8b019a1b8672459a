package dev.zerokube.e2e.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a running process, read from {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/status} (a process in another network namespace is still in our pid
 * namespace). CPU time counts every thread, in seconds of the clock tick {@code getconf CLK_TCK}.
 */
public record ProcStat(long cpuTicks, long rssKiB) {
    private static volatile long ticksPerSecond;

    /** The process's user+system time and VmRSS now. */
    public static ProcStat of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name (which may hold spaces) in parentheses: state is field 3
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (14), stime (15)
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return new ProcStat(ticks, rss);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc of " + pid, e);
        }
    }

    /** CPU seconds between {@code before} and this sample. */
    public double cpuSecondsSince(ProcStat before) {
        return (cpuTicks - before.cpuTicks) / (double) ticksPerSecond();
    }

    static long ticksPerSecond() {
        if (ticksPerSecond == 0) {
            long t = 100;
            try {
                t = Long.parseLong(Command.run("getconf", "CLK_TCK").strip());
            } catch (RuntimeException e) {
                // 100 on every Linux we run on
            }
            ticksPerSecond = t;
        }
        return ticksPerSecond;
    }
}
