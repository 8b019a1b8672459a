package dev.zerokube.benchmarks.wire;

import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Decoding a real network config: the one ZeroTier One 1.14.1's controller issued to member A
 * in the vectors' live capture ({@code capture/node_a/networks.d/c1a675eb9f955d1f.conf}, 1510
 * bytes: COM, capability, tag, rules, routes, static IPs, DNS), as a member does on every
 * NETWORK_CONFIG and at start. Also its encoding, as a controller does per request.
 *
 * <p>The vectors folder is found from the working directory ({@code ../shared/vectors} of the
 * repository root) or the system property {@code zerokube.vectors}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED"})
@State(Scope.Thread)
public class NetworkConfigBench {
    private static final String CONFIG = "capture/node_a/networks.d/c1a675eb9f955d1f.conf";

    private byte[] dictionary;
    private NetworkConfig config;

    @Setup
    public void setup() throws IOException, WireFormatException {
        dictionary = Files.readAllBytes(vectors().resolve(CONFIG));
        config = NetworkConfig.decode(dictionary);
    }

    @Benchmark
    public NetworkConfig decode() throws WireFormatException {
        return NetworkConfig.decode(dictionary);
    }

    @Benchmark
    public byte[] encode() {
        return config.encode();
    }

    private static Path vectors() {
        String configured = System.getProperty("zerokube.vectors");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("../shared/vectors").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("../shared/vectors not found; set -Dzerokube.vectors=DIR");
    }
}
