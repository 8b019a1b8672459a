package dev.zerokube.benchmarks.crypto;

import dev.zerokube.overlay.crypto.AesGmacSiv;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.crypto.Gmac;
import dev.zerokube.overlay.crypto.MemoryHardHash;
import dev.zerokube.overlay.crypto.Poly1305;
import dev.zerokube.overlay.crypto.Salsa20;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The operations of {@link CryptoBench}, timed by the thread's CPU time instead of wall time.
 *
 * <p>Why: the development machine is shared (two vCPUs, load often above 10), so JMH's wall-clock
 * scores mostly measure how long the benchmark thread waited for a CPU. CPU time per operation
 * leaves out the waiting (not the cache and SMT interference), which makes runs comparable with
 * each other. Each case warms up, then reports the best of five 0.3 s CPU-time rounds and the
 * bytes allocated per operation. Prints a Markdown table.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.zerokube.benchmarks.crypto.CryptoCpuTime}
 */
public final class CryptoCpuTime {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long ROUND_NS = 300_000_000L;

    private CryptoCpuTime() {}

    public static void main(String[] args) {
        System.out.println("| operation | bytes | CPU ns/op | GB/s | B/op |");
        System.out.println("|---|---:|---:|---:|---:|");
        SplittableRandom random = new SplittableRandom(42);
        for (int size : new int[] {64, 1400, 2800}) {
            byte[] key = bytes(random, 32);
            byte[] iv = bytes(random, 8);
            byte[] aad = bytes(random, 11);
            byte[] packet = bytes(random, size);
            byte[] out = new byte[size];
            byte[] tag = new byte[16];
            byte[] polyKey = new byte[64];
            Salsa20 salsa = new Salsa20(12);
            Salsa20Engine bcSalsa = new Salsa20Engine(12);
            ParametersWithIV bcParams = new ParametersWithIV(new KeyParameter(key), iv);
            org.bouncycastle.crypto.macs.Poly1305 bcPoly = new org.bouncycastle.crypto.macs.Poly1305();
            bcPoly.init(new KeyParameter(key));
            AesGmacSiv siv = new AesGmacSiv(bytes(random, 32), bytes(random, 32));
            byte[] sealed = new byte[size];
            byte[] sealedTag = new byte[16];
            siv.encrypt(iv, 0, aad, 0, aad.length, packet, 0, sealed, 0, size, sealedTag, 0);
            Gmac gmac = new Gmac(key);
            byte[] gmacIv = new byte[12];
            TableGhash table = new TableGhash(bytes(random, 16));

            run("Salsa20/12", size, () -> {
                salsa.init(key, 0, iv, 0);
                salsa.crypt(packet, 0, out, 0, size);
            });
            run("Salsa20/12 (Bouncy Castle)", size, () -> {
                bcSalsa.init(true, bcParams);
                bcSalsa.processBytes(packet, 0, size, out, 0);
            });
            run("Poly1305", size, () -> Poly1305.mac(key, 0, packet, 0, size, tag, 0));
            run("Poly1305 (Bouncy Castle)", size, () -> {
                bcPoly.update(packet, 0, size);
                bcPoly.doFinal(tag, 0);
            });
            run("Salsa20/12 + Poly1305 (cipher 1)", size, () -> {
                salsa.init(key, 0, iv, 0);
                salsa.stream(polyKey, 0, 64);
                salsa.crypt(packet, 0, out, 0, size);
                Poly1305.mac(polyKey, 0, out, 0, size, tag, 0);
            });
            run("GMAC (JDK AES-GCM)", size, () -> {
                gmacIv[0]++;
                gmac.init(gmacIv, 0);
                gmac.update(packet, 0, size & -16);
                gmac.finish(tag, 0);
            });
            run("GHASH (Java tables)", size, () -> {
                table.reset();
                table.update(packet, 0, size & -16);
                table.state(tag, 0);
            });
            run("AES-GMAC-SIV encrypt", size, () -> siv.encrypt(iv, 0, aad, 0, aad.length, packet, 0, out, 0, size, tag, 0));
            run("AES-GMAC-SIV decrypt", size, () -> {
                if (!siv.decrypt(sealedTag, 0, aad, 0, aad.length, sealed, 0, out, 0, size)) {
                    throw new AssertionError("decrypt failed");
                }
            });
        }
        C25519.KeyPair a = C25519.generate(random);
        C25519.KeyPair b = C25519.generate(random);
        byte[] message = bytes(random, 256);
        byte[] signature = C25519.sign(a.privateKey(), a.publicKey(), message);
        byte[] shared = new byte[48];
        MemoryHardHash hash = new MemoryHardHash();
        byte[] digest = new byte[64];
        run("C25519 sign (256 B)", 0, () -> C25519.sign(a.privateKey(), a.publicKey(), message));
        run("C25519 verify (256 B)", 0, () -> {
            if (!C25519.verify(a.publicKey(), message, signature)) {
                throw new AssertionError("verify failed");
            }
        });
        run("C25519 agree (48 B key)", 0, () -> C25519.agree(a.privateKey(), b.publicKey(), shared, 48));
        run("memory-hard hash", 0, () -> hash.digest(a.publicKey(), digest));
    }

    private static void run(String name, int size, Runnable op) {
        long batch = 1;
        for (int warm = 0; warm < 3; warm++) {
            long start = THREADS.getCurrentThreadCpuTime();
            long n = 0;
            while (THREADS.getCurrentThreadCpuTime() - start < ROUND_NS) {
                for (long i = 0; i < batch; i++) {
                    op.run();
                }
                n += batch;
                batch = Math.min(batch * 2, 1024);
            }
        }
        double best = Double.MAX_VALUE;
        long allocatedPerOp = 0;
        for (int round = 0; round < 5; round++) {
            long allocated = THREADS.getCurrentThreadAllocatedBytes();
            long start = THREADS.getCurrentThreadCpuTime();
            long n = 0;
            long now;
            do {
                for (long i = 0; i < batch; i++) {
                    op.run();
                }
                n += batch;
                now = THREADS.getCurrentThreadCpuTime();
            } while (now - start < ROUND_NS);
            allocatedPerOp = (THREADS.getCurrentThreadAllocatedBytes() - allocated) / n;
            best = Math.min(best, (now - start) / (double) n);
        }
        String gbs = size == 0 ? "" : String.format(Locale.ROOT, "%.2f", size / best);
        System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %s | %d |%n",
                name, size == 0 ? "" : Integer.toString(size), best, gbs, allocatedPerOp);
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
