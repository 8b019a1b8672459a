package dev.zerokube.benchmarks.wire;

import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Packet armor and dearmor ({@link Armor}, the whole per-packet crypto of ZT1-02 §4) per cipher
 * suite at 64, 1400 and 2800 bytes (the whole packet, header included): time per packet, so
 * {@code size / time} is the throughput on one core. Run with {@code -prof gc}: the goal is 0 bytes
 * allocated per packet.
 *
 * <p>Each call first copies the packet into the working buffer (a plaintext packet for
 * {@link #armor}, the armored one for {@link #dearmor}), as a receive or send path does when it
 * takes a packet out of a ring; that copy is a few percent of the time at these sizes. Dearmor is
 * measured on a packet that authenticates, so it does the full MAC check and decryption.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED"})
@State(Scope.Thread)
public class ArmorBench {
    /** Cipher suite: 0 Poly1305 only, 1 Salsa20/12 + Poly1305, 3 AES-GMAC-SIV. */
    @Param({"0", "1", "3"})
    int cipher;

    /** Whole packet length in bytes. */
    @Param({"64", "1400", "2800"})
    int size;

    private Armor armor;
    private byte[] plain;
    private static final int PACKETS = 16;

    private byte[][] armored;
    private long packetId;
    private int next;
    private byte[] work;

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] key = new byte[Armor.KEY_LENGTH];
        random.nextBytes(key);
        armor = new Armor(key);
        plain = new byte[size];
        random.nextBytes(plain);
        PacketHeader.setDestination(plain, 0, 0x22afb5217cL);
        PacketHeader.setSource(plain, 0, 0xc9fee927f8L);
        PacketHeader.setFlags(plain, 0, 0);
        PacketHeader.setVerbByte(plain, 0, Verb.FRAME.code());
        // Real packets carry distinct random packet IDs (the nonce of every cipher); one fixed ID
        // would make cipher 3 re-key the JDK's GCM twice per packet (it refuses an IV twice in a
        // row, see Gmac), so armor gets a new ID per call and dearmor cycles through PACKETS.
        armored = new byte[PACKETS][];
        for (int i = 0; i < PACKETS; i++) {
            armored[i] = plain.clone();
            PacketHeader.setPacketId(armored[i], 0, random.nextLong());
            armor.armor(armored[i], 0, size, cipher);
        }
        work = new byte[size];
        for (byte[] packet : armored) {
            System.arraycopy(packet, 0, work, 0, size);
            if (armor.dearmor(work, 0, size) != Armor.Verdict.AUTHENTICATED) {
                throw new IllegalStateException("the benchmark packet does not dearmor");
            }
        }
    }

    @Benchmark
    public byte[] armor() {
        System.arraycopy(plain, 0, work, 0, size);
        PacketHeader.setPacketId(work, 0, ++packetId);
        armor.armor(work, 0, size, cipher);
        return work;
    }

    @Benchmark
    public Armor.Verdict dearmor() {
        System.arraycopy(armored[next++ & (PACKETS - 1)], 0, work, 0, size);
        return armor.dearmor(work, 0, size);
    }
}
