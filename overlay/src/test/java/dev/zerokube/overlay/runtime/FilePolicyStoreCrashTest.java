package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.identity.Address;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the file store survives {@code kill -9} at any moment without losing an acknowledged write
 * or leaving an unreadable file (issue 5, "crash safety"). Method: 100 times, fork a JVM running
 * {@link FilePolicyStoreCrashChild} on the same directory, let it write member records for a
 * random 0-60 ms after it is ready, SIGKILL it ({@link ProcessHandle#destroyForcibly}), then open the
 * directory in this JVM: no problems may be reported, no temp file may survive the open, and every
 * acknowledged member must be there with at least the acknowledged revision. The seed is in the
 * failure message; {@code -Dcrash.seed=...} replays the schedule.
 */
class FilePolicyStoreCrashTest {
    static final int KILLS = 100;

    @TempDir
    Path dir;

    @Test
    void killNineNeverLosesAnAcknowledgedWrite() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Map<Address, Long> acked = new HashMap<>();
        long totalAcks = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            String where = "seed " + seed + ", kill " + kill;
            Process child = start(random.nextLong());
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String first = out.readLine();
                if (!"ready".equals(first)) {
                    fail(where + ": child said " + first + " / " + new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                long killAtNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(60));
                // Read acks until the kill time; an ack line is only counted once complete.
                while (System.nanoTime() < killAtNs) {
                    String line = out.readLine();
                    if (line == null) {
                        fail(where + ": child ended early: " + new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                    }
                    String[] f = line.split(" ");
                    acked.merge(Address.parse(f[1]), Long.parseLong(f[2]), Math::max);
                    totalAcks++;
                }
                // SIGKILL through the handle: Process.destroyForcibly would also close our end of the
                // pipe, and the acks still in it were written before the kill too.
                child.toHandle().destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
                // Acks already in the pipe were written before the kill too.
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("ack ") && line.split(" ").length == 3) {
                        String[] f = line.split(" ");
                        acked.merge(Address.parse(f[1]), Long.parseLong(f[2]), Math::max);
                        totalAcks++;
                    }
                }
            } finally {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
            try (FilePolicyStore store = FilePolicyStore.open(dir)) {
                assertEquals(List.of(), store.problems(), where);
                for (Map.Entry<Address, Long> e : acked.entrySet()) {
                    MemberRecord m = store.member(FilePolicyStoreCrashChild.NWID, e.getKey())
                            .orElseThrow(() -> new AssertionError(where + ": acknowledged member " + e.getKey() + " lost"));
                    assertTrue(m.revision() >= e.getValue(),
                            where + ": member " + e.getKey() + " at revision " + m.revision() + ", acknowledged " + e.getValue());
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    List<Path> temps = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
                    assertEquals(List.of(), temps, where + ": temp files left after open");
                }
            }
        }
        assertTrue(totalAcks > KILLS, "the children wrote too little to test anything: " + totalAcks + " acks");
        System.out.println("FilePolicyStoreCrashTest: " + KILLS + " kills, " + totalAcks + " acknowledged writes, "
                + acked.size() + " members, seed " + seed);
    }

    private Process start(long childSeed) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                FilePolicyStoreCrashChild.class.getName(), dir.toString(), Long.toString(childSeed));
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }
}
