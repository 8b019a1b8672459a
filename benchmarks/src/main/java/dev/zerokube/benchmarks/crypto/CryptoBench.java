package dev.zerokube.benchmarks.crypto;

import dev.zerokube.overlay.crypto.AesGmacSiv;
import dev.zerokube.overlay.crypto.Aes;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.crypto.Gmac;
import dev.zerokube.overlay.crypto.MemoryHardHash;
import dev.zerokube.overlay.crypto.Poly1305;
import dev.zerokube.overlay.crypto.Salsa20;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-packet crypto primitives at packet sizes 64, 1400 and 2800 bytes, plus the per-peer and
 * per-identity operations. Time per operation; divide the size by it for throughput
 * (docs/performance.md lists both). Run with {@code -prof gc} to see bytes allocated per operation.
 *
 * <p>The packet benchmarks do what armor/dearmor do per packet: cipher 1 = a fresh Salsa20/12
 * stream, the Poly1305 key from block 0, encryption from block 1 and the MAC over the ciphertext;
 * cipher 3 = one AES-GMAC-SIV encrypt or decrypt with an 11-byte header as AAD.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED"})
@State(Scope.Thread)
public class CryptoBench {
    @Param({"64", "1400", "2800"})
    int size;

    private final byte[] key = new byte[32];
    private final byte[] iv = new byte[8];
    private final byte[] aad = new byte[11];
    private byte[] packet;
    private byte[] out;
    private final byte[] tag = new byte[16];
    private final byte[] polyKey = new byte[64];
    private final Salsa20 salsa = new Salsa20(12);
    private final Salsa20Engine bcSalsa = new Salsa20Engine(12);
    private final org.bouncycastle.crypto.macs.Poly1305 bcPoly = new org.bouncycastle.crypto.macs.Poly1305();
    private AesGmacSiv siv;
    private Gmac gmac;
    private TableGhash tableGhash;
    private final byte[] gmacIv = new byte[12];
    private final byte[] lengthBlock = new byte[16];
    private final byte[] j0Mask = new byte[16];
    private static final int SEALED = 16;
    private final byte[][] sealed = new byte[SEALED][];
    private final byte[][] sealedTags = new byte[SEALED][16];
    private final byte[] sivIv = new byte[8];
    private int next;

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(42);
        random.nextBytes(key);
        random.nextBytes(iv);
        random.nextBytes(aad);
        packet = new byte[size];
        random.nextBytes(packet);
        out = new byte[size];
        byte[] k0 = new byte[32];
        byte[] k1 = new byte[32];
        random.nextBytes(k0);
        random.nextBytes(k1);
        siv = new AesGmacSiv(k0, k1);
        for (int i = 0; i < SEALED; i++) {
            random.nextBytes(sivIv);
            sealed[i] = new byte[size];
            siv.encrypt(sivIv, 0, aad, 0, aad.length, packet, 0, sealed[i], 0, size, sealedTags[i], 0);
        }
        bcPoly.init(new KeyParameter(key));

        gmac = new Gmac(k0);
        Aes aes0 = new Aes(k0);
        byte[] h = new byte[16];
        aes0.encryptBlock(h, 0, h, 0);
        tableGhash = new TableGhash(h);
        byte[] j0 = new byte[16];
        j0[15] = 1;
        aes0.encryptBlock(j0, 0, j0Mask, 0);
        long bits = (size + 15) / 16 * 16 * 8L;
        for (int i = 0; i < 8; i++) {
            lengthBlock[i] = (byte) (bits >>> (56 - 8 * i));
        }
        // The Java baseline must compute the same tag as the JDK-backed Gmac, or its timing means nothing.
        byte[] padded = java.util.Arrays.copyOf(packet, (size + 15) / 16 * 16);
        gmac.init(gmacIv, 0);
        gmac.update(padded, 0, padded.length);
        byte[] expected = new byte[16];
        gmac.finish(expected, 0);
        if (!java.util.Arrays.equals(expected, gmacTable())) {
            throw new IllegalStateException("TableGhash disagrees with Gmac");
        }
    }

    @Benchmark
    public byte[] salsa2012() {
        salsa.init(key, 0, iv, 0);
        salsa.crypt(packet, 0, out, 0, size);
        return out;
    }

    @Benchmark
    public byte[] salsa2012BouncyCastle() {
        bcSalsa.init(true, new ParametersWithIV(new KeyParameter(key), iv));
        bcSalsa.processBytes(packet, 0, size, out, 0);
        return out;
    }

    @Benchmark
    public byte[] poly1305() {
        Poly1305.mac(key, 0, packet, 0, size, tag, 0);
        return tag;
    }

    @Benchmark
    public byte[] poly1305BouncyCastle() {
        bcPoly.update(packet, 0, size);
        bcPoly.doFinal(tag, 0);
        return tag;
    }

    /** Cipher-1 armor of one packet: Poly1305 key from keystream block 0, encrypt from block 1, MAC. */
    @Benchmark
    public byte[] salsa2012Poly1305() {
        salsa.init(key, 0, iv, 0);
        salsa.stream(polyKey, 0, 64);
        salsa.crypt(packet, 0, out, 0, size);
        Poly1305.mac(polyKey, 0, out, 0, size, tag, 0);
        return tag;
    }

    /** GMAC alone (the JDK's AES-GCM with the data as AAD), over the packet padded to 16 bytes. */
    @Benchmark
    public byte[] gmac() {
        gmacIv[0]++;
        gmac.init(gmacIv, 0);
        gmac.update(packet, 0, size & -16);
        gmac.finish(tag, 0);
        return tag;
    }

    /** The same tag from a table-driven GHASH in Java (the alternative that was measured and rejected). */
    @Benchmark
    public byte[] gmacTableJava() {
        return gmacTable();
    }

    private byte[] gmacTable() {
        tableGhash.reset();
        int whole = size & -16;
        tableGhash.update(packet, 0, whole);
        if (whole < size) {
            tableGhash.update(java.util.Arrays.copyOfRange(packet, whole, whole + 16), 0, 16);
        }
        tableGhash.update(lengthBlock, 0, 16);
        tableGhash.state(tag, 0);
        for (int i = 0; i < 16; i++) {
            tag[i] ^= j0Mask[i];
        }
        return tag;
    }

    // A new nonce per packet, as on the wire: with one fixed nonce the JDK's GCM would be
    // initialised twice per tag (it refuses the same IV twice in a row, see Gmac).
    @Benchmark
    public byte[] aesGmacSivEncrypt() {
        sivIv[0]++;
        siv.encrypt(sivIv, 0, aad, 0, aad.length, packet, 0, out, 0, size, tag, 0);
        return tag;
    }

    @Benchmark
    public boolean aesGmacSivDecrypt() {
        int i = next++ & (SEALED - 1);
        return siv.decrypt(sealedTags[i], 0, aad, 0, aad.length, sealed[i], 0, out, 0, size);
    }

    /** Operations on identities and peers, not per packet (no size parameter). */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @State(Scope.Thread)
    public static class Keys {
        private C25519.KeyPair a;
        private C25519.KeyPair b;
        private final byte[] message = new byte[256];
        private byte[] signature;
        private final byte[] shared = new byte[48];
        private final MemoryHardHash hash = new MemoryHardHash();
        private final byte[] digest = new byte[64];

        @Setup
        public void setup() {
            SplittableRandom random = new SplittableRandom(7);
            a = C25519.generate(random);
            b = C25519.generate(random);
            random.nextBytes(message);
            signature = C25519.sign(a.privateKey(), a.publicKey(), message);
        }

        @Benchmark
        public byte[] sign() {
            return C25519.sign(a.privateKey(), a.publicKey(), message);
        }

        @Benchmark
        public boolean verify() {
            return C25519.verify(a.publicKey(), message, signature);
        }

        @Benchmark
        public byte[] agree() {
            C25519.agree(a.privateKey(), b.publicKey(), shared, shared.length);
            return shared;
        }

        @Benchmark
        @OutputTimeUnit(TimeUnit.MILLISECONDS)
        public byte[] memoryHardHash() {
            hash.digest(a.publicKey(), digest);
            return digest;
        }
    }
}
