package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/*
 * Goal: the packet path (SIMD Salsa20/12 + Poly1305) allocates nothing in steady state even when
 * C2 compiles it without receiver type profiles. That is what a busy JVM can do (C2's queue long,
 * a tier-2 compile with no profile, a deoptimisation storm), and it is how the vector Salsa20 once
 * boxed every vector (~55 KB per packet) in a full test JVM while passing in a quiet one.
 * Method: run ArmorTest's steady-state measurement in a child JVM started with
 * -XX:-UseTypeProfile (C2 then ignores receiver profiles; the earlier kernel shape allocated
 * 55 KB per round there, this one nothing) and check its verdict.
 */
class ArmorWithoutTypeProfileTest {

    @Test
    void packetPathAllocatesNothingWithoutTypeProfiles() throws IOException, InterruptedException {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "no jdk.incubator.vector in this JVM: the crypto runs its scalar code");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "-XX:-UseTypeProfile",
                "--add-modules", "jdk.incubator.vector",
                "--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()))
                .redirectErrorStream(true)
                .start();
        String output;
        try (var in = child.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!child.waitFor(5, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        assertEquals(0, child.exitValue(), output);
    }

    /** Entry point of the child JVM: exit 0 when the last window allocated (almost) nothing. */
    public static final class Child {
        public static void main(String[] args) {
            long allocated = ArmorTest.steadyStateAllocation(ArmorTest.SALSA_AND_POLY);
            if (allocated >= 1_000) {
                System.out.println(allocated + " bytes allocated in the last of 500 windows of 10000 rounds"
                        + " without type profiles");
                System.exit(1);
            }
            System.out.println("steady state: " + allocated + " bytes per window");
        }
    }
}
