package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.HexFormat;

/**
 * Goal: no datagram, however malformed, makes the packet layer throw, loop or accept a forgery
 * (ZT1-02 §16 note 19). Method: Jazzer feeds arbitrary bytes through classification, the fragment
 * decoder, the {@link Reassembler} (as a head or a fragment), {@link Armor#dearmor} under a fixed
 * key and {@link Compression#uncompress}; only the documented outcomes may come out. The seeds
 * (in the test resources) are real 1.14.1 datagrams of packets.jsonl: a cipher-3 ECHO, a fragment
 * and a compressed cipher-1 packet. In the default build this replays the seeds; long runs are
 * by hand (JAZZER_FUZZ=1).
 */
class ReceivePathFuzzTest {
    private static final byte[] KEY = HexFormat.of().parseHex("63db6ef9a489a35c5f774392e6a373c8978f3737d086370439db7216"
            + "9fc73b1720f20e09d83b5bdb18a355547e4e6f6f");
    private static final Armor ARMOR = new Armor(KEY);
    private static final Reassembler<String> REASSEMBLER = new Reassembler<>(8, Reassembler.MIN_BYTES_MAX, 5000);
    private static final byte[] OUT = new byte[PacketHeader.MAX_LENGTH];
    private static final byte[] UNCOMPRESSED = new byte[PacketHeader.MAX_LENGTH];
    private static long nowMs;

    @FuzzTest
    void receive(byte[] data) {
        nowMs += 100;
        Datagram.Kind kind = Datagram.classify(data, 0, data.length);
        if (kind == Datagram.Kind.FRAGMENT) {
            try {
                Fragment f = Fragment.decode(data);
                assertEquals(data.length, f.length());
            } catch (WireFormatException expected) {
                assertTrue(expected.what().startsWith("fragment: "));
            }
            Reassembler.Status s = REASSEMBLER.onFragment(data, 0, data.length, nowMs, OUT, 0);
            if (s == Reassembler.Status.COMPLETE) {
                dearmor(OUT, REASSEMBLER.assembledLength());
            }
        } else if (kind == Datagram.Kind.PACKET) {
            if (PacketHeader.isFragmented(data, 0)) {
                Reassembler.Status s = REASSEMBLER.onHead(data, 0, data.length, "p", nowMs, OUT, 0);
                assertTrue(s != Reassembler.Status.INVALID, "a classified, flagged head is a valid piece");
                if (s == Reassembler.Status.COMPLETE) {
                    dearmor(OUT, REASSEMBLER.assembledLength());
                }
            }
            dearmor(data.clone(), data.length);
        }
        assertTrue(REASSEMBLER.bytesInUse() <= REASSEMBLER.bytesCapacity());
        assertTrue(REASSEMBLER.packetsInFlight() <= REASSEMBLER.packetsMax());
    }

    private static void dearmor(byte[] packet, int len) {
        Armor.Verdict v = ARMOR.dearmor(packet, 0, len);
        if (v == Armor.Verdict.AUTHENTICATED) {
            int n = Compression.uncompress(packet, 0, len, UNCOMPRESSED, 0);
            assertTrue(n == -1 || (n >= PacketHeader.MIN_LENGTH && n <= PacketHeader.MAX_LENGTH));
        }
    }
}
