package dev.zerokube.benchmarks.identity;

import dev.zerokube.overlay.crypto.MemoryHardHash;

/**
 * The memory-hard hash as a freshly started JVM runs it: the time of each of the first N hashes,
 * one thread, distinct inputs. JMH ({@link IdentityBench}) measures the warm cost; a pod's sidecar
 * pays the cold one, where the first hashes run partly in the interpreter and C1's profiling code
 * until C2 has compiled the hot loops. Run it in a new JVM each time, with the flags to study
 * (e.g. the sidecar's):
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx32m -cp benchmarks/target/benchmarks.jar \
 *     dev.zerokube.benchmarks.identity.ColdHashTimes 20
 * </pre>
 */
public final class ColdHashTimes {
    private ColdHashTimes() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long start = System.nanoTime();
        MemoryHardHash hash = new MemoryHardHash();
        byte[] publicKey = new byte[64];
        byte[] digest = new byte[MemoryHardHash.DIGEST_LENGTH];
        StringBuilder times = new StringBuilder();
        for (int i = 0; i < n; i++) {
            publicKey[0] = (byte) i;
            publicKey[1] = (byte) (i >>> 8);
            long t = System.nanoTime();
            hash.digest(publicKey, digest);
            times.append(i == 0 ? "" : " ").append((System.nanoTime() - t) / 1_000_000);
        }
        System.out.println("ms per hash: " + times + "; " + n + " hashes in " + (System.nanoTime() - start) / 1_000_000
                + " ms");
    }
}
