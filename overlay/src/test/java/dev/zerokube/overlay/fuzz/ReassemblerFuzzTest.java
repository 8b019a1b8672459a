package dev.zerokube.overlay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Datagram;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Reassembler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: datagram classification, the fragment decoder and the Reassembler are total and keep
// their bounds whatever sequence of datagrams arrives.
// Method: the input is a sequence of datagrams (Framing), offered in order to a small
// reassembler (3 packets, the minimum pool) with the clock advancing 1 s per datagram. Checks:
// a decoded fragment re-encodes to its bytes; a flagged head is never refused as invalid; the
// reassembler's counters stay within their caps;
// and every packet it completes is exactly an offered head followed by offered fragment payloads
// of the same packet id, in number order (a model that remembers every piece offered).
class ReassemblerFuzzTest {
    private static final int MAX_DATAGRAMS = 64; // more than the 7 pieces of the largest packet
    private static final long STEP_MS = 1000;

    static Stream<Arguments> seeds() {
        FuzzSeeds seeds = FuzzSeeds.builder();
        List<JsonNode> lines = Vectors.read("packets.jsonl");
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            List<byte[]> pieces = new ArrayList<>();
            if (line.has("deliveries")) {
                line.get("deliveries").forEach(d -> pieces.add(Vectors.hex(d, "bytes")));
            } else if (line.has("fragments") && line.get("fragments").size() > 0) {
                pieces.add(Vectors.hex(line, "head"));
                line.get("fragments").forEach(f -> pieces.add(Vectors.hex(f, "bytes")));
            }
            if (!pieces.isEmpty()) {
                seeds.add("packets.jsonl:" + (i + 1) + " " + Vectors.nameOf(line, i), Framing.join(pieces));
            }
        }
        // The live capture: each fragmented packet's head and fragments, in capture order.
        List<JsonNode> capture = Vectors.read("capture/capture.jsonl");
        Map<Integer, List<byte[]>> byHead = new HashMap<>();
        for (int i = 0; i < capture.size(); i++) {
            JsonNode line = capture.get(i);
            if (line.path("kind").asText().equals("fragment")) {
                int head = line.get("head_index").asInt();
                byHead.computeIfAbsent(head, h -> new ArrayList<>(List.of(Vectors.hex(capture.get(h), "hex"))))
                        .add(Vectors.hex(line, "hex"));
            }
        }
        byHead.keySet().stream().sorted().limit(8).forEach(h ->
                seeds.add("capture.jsonl:" + (h + 1) + " fragmented packet", Framing.join(byHead.get(h))));
        return seeds.build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void reassembler(byte[] input) {
        Reassembler<Integer> reassembler = new Reassembler<>(3, Reassembler.MIN_BYTES_MAX, 5 * STEP_MS);
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        Map<Long, Offered> model = new HashMap<>();
        List<byte[]> datagrams = Framing.split(input, MAX_DATAGRAMS);
        for (int i = 0; i < datagrams.size(); i++) {
            byte[] d = datagrams.get(i);
            long nowMs = i * STEP_MS;
            reassembler.expire(nowMs);
            Reassembler.Status status;
            long packetId;
            switch (Datagram.classify(d, 0, d.length)) {
                case FRAGMENT -> {
                    checkFragmentCodec(d);
                    packetId = Fragment.packetIdAt(d, 0);
                    model.computeIfAbsent(packetId, k -> new Offered()).fragment(d);
                    status = reassembler.onFragment(d, 0, d.length, nowMs, out, 0);
                }
                case PACKET -> {
                    packetId = PacketHeader.packetId(d, 0);
                    model.computeIfAbsent(packetId, k -> new Offered()).heads.add(d);
                    status = reassembler.onHead(d, 0, d.length, i, nowMs, out, 0);
                    if (PacketHeader.isFragmented(d, 0)) {
                        assertNotEquals(Reassembler.Status.INVALID, status, "a classified, flagged head is a valid piece");
                    }
                }
                default -> {
                    continue;
                }
            }
            assertTrue(reassembler.packetsInFlight() <= reassembler.packetsMax(), "packets in flight over cap");
            assertTrue(reassembler.bytesInUse() <= reassembler.bytesCapacity(), "bytes in use over cap");
            if (status == Reassembler.Status.COMPLETE) {
                int n = reassembler.assembledLength();
                assertTrue(n >= PacketHeader.MIN_LENGTH && n <= PacketHeader.MAX_LENGTH, "assembled length " + n);
                byte[] packet = Arrays.copyOf(out, n);
                assertEquals(packetId, PacketHeader.packetId(packet, 0), "assembled packet id");
                assertTrue(model.get(packetId).explains(packet), "assembled packet is not made of offered pieces");
                model.remove(packetId);
            } else {
                assertEquals(-1, reassembler.assembledLength(), "assembled length without COMPLETE");
            }
        }
    }

    private static void checkFragmentCodec(byte[] d) {
        Fragment f;
        try {
            f = Fragment.decode(d);
        } catch (WireFormatException e) {
            return;
        }
        assertArrayEquals(d, f.encode(), "fragment encode(decode(b)) == b");
    }

    /** Every piece offered for one packet id, all variants kept (pieces may be resent changed). */
    private static final class Offered {
        final List<byte[]> heads = new ArrayList<>();
        final Map<Integer, List<byte[]>> payloads = new HashMap<>();

        void fragment(byte[] d) {
            int number = Fragment.numberAt(d, 0);
            payloads.computeIfAbsent(number, k -> new ArrayList<>())
                    .add(Arrays.copyOfRange(d, Fragment.HEADER_LENGTH, d.length));
        }

        boolean explains(byte[] packet) {
            for (byte[] head : heads) {
                if (startsWith(packet, 0, head)) {
                    for (int t = 2; t <= Fragment.MAX_PIECES; t++) {
                        if (rest(packet, head.length, 1, t)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        private boolean rest(byte[] packet, int at, int number, int total) {
            if (number == total) {
                return at == packet.length;
            }
            for (byte[] p : payloads.getOrDefault(number, List.of())) {
                if (startsWith(packet, at, p) && rest(packet, at + p.length, number + 1, total)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean startsWith(byte[] packet, int at, byte[] piece) {
            return packet.length - at >= piece.length
                    && Arrays.equals(packet, at, at + piece.length, piece, 0, piece.length);
        }
    }
}
