package dev.zerokube.benchmarks.identity;

import dev.zerokube.overlay.crypto.MemoryHardHash;
import dev.zerokube.overlay.identity.Identity;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Identity generation (ZT1-01 §8: key pairs drawn until the memory-hard hash of the public key
 * passes the proof of work) and local validation (one memory-hard hash), with the 2 MiB scratch
 * reused as a node does. Generation draws a new key pair per attempt and the number of attempts
 * is random (about 15 on average), so its time per identity is an average over many identities
 * from one seeded random stream; use several iterations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED"})
@State(Scope.Thread)
public class IdentityBench {
    private final SplittableRandom random = new SplittableRandom(42);
    private final MemoryHardHash scratch = new MemoryHardHash();
    private Identity identity;

    @Setup
    public void setup() {
        identity = Identity.generate(new SplittableRandom(7), scratch);
    }

    @Benchmark
    public Identity generate() {
        return Identity.generate(random, scratch);
    }

    @Benchmark
    public boolean locallyValidate() {
        return identity.locallyValidate(scratch);
    }
}
