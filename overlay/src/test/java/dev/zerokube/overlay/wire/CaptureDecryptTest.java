package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor.Verdict;
import dev.zerokube.overlay.wire.verbs.Hello;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Goal: the packet layer reads a real 1.14.1 deployment: every UDP datagram of
 * vectors/capture/capture.jsonl (README-capture-rules.md §2) is classified, reassembled,
 * authenticated, decrypted and decompressed exactly as its annotations say. Method: load the
 * three nodes' secret identities, agree the per-pair keys with {@link Identity#agree}, and run
 * each datagram through {@link Datagram}, a {@link Reassembler} per receiving node (time from the
 * capture clock), {@link Armor} for the pair named in the header and {@link Compression}; then
 * compare every annotation of the line (fragments: after their packet completed), and decode the
 * payload with the codec of its verb (HELLO after unmasking its tail) and re-encode it to the same
 * bytes. A line counts only when all its checks ran; the test fails unless all 294 did.
 */
class CaptureDecryptTest {
    private static final String[] CIPHER_NAMES = {"POLY1305_NONE", "POLY1305_SALSA2012", "NONE_TRUSTED_PATH",
        "AES_GMAC_SIV"};

    private final Map<Long, Identity> identities = new HashMap<>();
    private final Map<String, byte[]> keys = new HashMap<>();
    private final Map<String, Armor> armors = new HashMap<>();
    private final Map<String, Reassembler<Integer>> reassemblers = new HashMap<>();
    /** Line indexes of heads whose reassembled packet passed every check. */
    private final Set<Integer> headsChecked = new HashSet<>();
    private final List<String> failures = new ArrayList<>();
    private final byte[] assembled = new byte[PacketHeader.MAX_LENGTH];
    private List<JsonNode> lines;

    @Test
    void everyCapturedDatagramDecodesAsAnnotated() throws Exception {
        for (String node : new String[] {"a", "b", "c"}) {
            Identity id = Identity.parse(Files.readString(Vectors.file("capture/node_" + node + "/identity.secret")).trim());
            assertTrue(id.hasPrivate());
            identities.put(id.address().value(), id);
        }
        JsonNode nodes = Vectors.readJson("capture/nodes.json");
        for (String node : new String[] {"a", "b", "c"}) {
            assertTrue(identities.containsKey(Long.parseLong(nodes.get(node).asText(), 16)));
        }

        lines = Vectors.read("capture/capture.jsonl");
        boolean[] checked = new boolean[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            try {
                checked[i] = receive(lines.get(i), i);
            } catch (AssertionError e) {
                failures.add("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        // fragments: their packet is complete now
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            if (line.get("kind").asText().equals("fragment")) {
                try {
                    checked[i] = checkFragment(line, lines.get(line.get("head_index").asInt()));
                } catch (AssertionError e) {
                    failures.add("line " + (i + 1) + ": " + e.getMessage());
                }
            }
        }
        for (int head : headsChecked) {
            checked[head] = true;
        }
        assertEquals(List.of(), failures);
        int count = 0;
        for (int i = 0; i < checked.length; i++) {
            assertTrue(checked[i], "line " + (i + 1) + " was not checked");
            count++;
        }
        assertEquals(294, count, "datagrams in capture.jsonl (README-capture-rules.md §2.5)");
        assertEquals(38, headsChecked.size(), "fragmented packets");
        assertEquals(255, payloadsDecoded, "packets whose payload decoded");
    }

    /** Returns true when every check of a packet or short line ran; fragments are checked later. */
    private boolean receive(JsonNode line, int index) {
        byte[] d = Vectors.hex(line, "hex");
        assertEquals(line.get("len").asInt(), d.length, "len");
        Datagram.Kind kind = Datagram.classify(d, 0, d.length);
        String annotated = line.get("kind").asText();
        switch (kind) {
            case TOO_SHORT -> {
                assertEquals("short", annotated);
                assertEquals(false, line.get("auth_ok").asBoolean());
                assertTrue(line.get("verb").isNull());
                return true;
            }
            case FRAGMENT -> {
                assertEquals("fragment", annotated);
                Reassembler.Status s = reassembler(line).onFragment(d, 0, d.length, nowMs(line), assembled, 0);
                if (s == Reassembler.Status.COMPLETE) {
                    completed(line);
                } else {
                    assertEquals(Reassembler.Status.PENDING, s, "fragment status");
                }
                return false;
            }
            case PACKET -> {
                assertEquals("packet", annotated);
                checkHeader(line, d);
                assertEquals(line.get("fragment").asBoolean(), PacketHeader.isFragmented(d, 0), "fragment flag");
                if (PacketHeader.isFragmented(d, 0)) {
                    Reassembler.Status s = reassembler(line).onHead(d, 0, d.length, index, nowMs(line), assembled, 0);
                    assertEquals(Reassembler.Status.PENDING, s, "head arrives first in this capture");
                    return false; // checked when its packet completes
                }
                assertEquals(d.length - PacketHeader.IDX_PAYLOAD, line.get("payload_len").asInt(), "payload_len");
                checkPacket(line, d);
                return true;
            }
            default -> throw new AssertionError("unexpected " + kind);
        }
    }

    private void completed(JsonNode lastFragment) {
        Reassembler<Integer> r = reassembler(lastFragment);
        int head = Objects.requireNonNull(r.assembledPath());
        byte[] packet = Arrays.copyOf(assembled, r.assembledLength());
        JsonNode headLine = lines.get(head);
        assertEquals(headLine.get("reassembled_len").asInt(), packet.length, "reassembled_len");
        assertEquals(packet.length - PacketHeader.IDX_PAYLOAD, headLine.get("payload_len").asInt(), "payload_len");
        assertEquals(0, headLine.get("fragment_no").asInt());
        checkPacket(headLine, packet);
        headsChecked.add(head);
    }

    private boolean checkFragment(JsonNode line, JsonNode headLine) {
        byte[] d = Vectors.hex(line, "hex");
        int head = line.get("head_index").asInt();
        assertTrue(headsChecked.contains(head), "the packet of this fragment completed and was checked");
        assertEquals(line.get("packet_id").asText(), HexFormat.of().formatHex(d, 0, 8), "packet_id");
        assertEquals(headLine.get("packet_id").asText(), line.get("packet_id").asText());
        assertEquals(line.get("header_dst").asText(), address(Fragment.destinationAt(d, 0)), "header_dst");
        assertEquals(headLine.get("header_src").asText(), line.get("header_src").asText());
        assertEquals(line.get("hops").asInt(), Fragment.hopsAt(d, 0), "hops");
        assertEquals(line.get("fragment_no").asInt(), Fragment.numberAt(d, 0), "fragment_no");
        assertEquals(line.get("fragments_total").asInt(), Fragment.totalAt(d, 0), "fragments_total");
        assertEquals(headLine.get("fragments_total").asInt(), Fragment.totalAt(d, 0), "head's fragments_total");
        assertEquals(d.length - Fragment.HEADER_LENGTH, line.get("payload_len").asInt(), "payload_len");
        assertTrue(line.get("fragment").asBoolean());
        for (String copied : new String[] {"cipher", "verb", "auth_ok"}) {
            assertEquals(headLine.get(copied), line.get(copied), copied + " copied from the head");
        }
        return true;
    }

    private void checkHeader(JsonNode line, byte[] d) {
        assertEquals(line.get("packet_id").asText(), HexFormat.of().formatHex(d, 0, 8), "packet_id");
        assertEquals(line.get("header_src").asText(), address(PacketHeader.source(d, 0)), "header_src");
        assertEquals(line.get("header_dst").asText(), address(PacketHeader.destination(d, 0)), "header_dst");
        assertEquals(line.get("hops").asInt(), PacketHeader.hops(d, 0), "hops");
        assertEquals(line.get("cipher").asText(), CIPHER_NAMES[PacketHeader.cipher(d, 0)], "cipher");
    }

    /** Authenticate, decrypt and decompress a whole packet; compare verb, compression and replies. */
    private void checkPacket(JsonNode line, byte[] wire) {
        byte[] packet = wire.clone();
        Verdict v = armor(PacketHeader.source(packet, 0), PacketHeader.destination(packet, 0))
                .dearmor(packet, 0, packet.length);
        assertEquals(line.get("auth_ok").asBoolean(), v == Verdict.AUTHENTICATED, "auth_ok, verdict " + v);
        assertEquals(Verdict.AUTHENTICATED, v);
        assertEquals(line.get("compressed").asBoolean(), PacketHeader.isCompressed(packet, 0), "compressed");
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        int n = Compression.uncompress(packet, 0, packet.length, out, 0);
        assertTrue(n >= PacketHeader.MIN_LENGTH, "decompression");
        if (line.has("uncompressed_payload_len")) {
            assertEquals(line.get("uncompressed_payload_len").asInt(), n - PacketHeader.IDX_PAYLOAD,
                    "uncompressed_payload_len");
        } else {
            assertEquals(packet.length, n);
        }
        Verb verb = Verb.ofCode(PacketHeader.verb(out, 0));
        assertEquals(line.get("verb").asText(), verb == null ? null : verb.name(), "verb");
        if (verb == Verb.OK || verb == Verb.ERROR) {
            Verb inRe = Verb.ofCode(out[PacketHeader.IDX_PAYLOAD]);
            assertEquals(line.get("in_re_verb").asText(), inRe == null ? null : inRe.name(), "in_re_verb");
        } else {
            assertTrue(!line.has("in_re_verb"), "in_re_verb only on OK/ERROR");
        }
        if (verb == Verb.ERROR) {
            assertEquals(line.get("error_code").asInt(), out[PacketHeader.IDX_PAYLOAD + 9] & 0xff, "error_code");
        }

        // the payload decodes with the codec of its verb and encodes back to the same bytes
        if (verb == Verb.HELLO) {
            try {
                Hello.cryptTail(out, 0, n, key(PacketHeader.source(out, 0), PacketHeader.destination(out, 0)),
                        new Salsa20(12));
            } catch (WireFormatException e) {
                throw new AssertionError("HELLO tail: " + e.what());
            }
        }
        VerbPayload payload;
        try {
            payload = VerbPayload.decode(PacketHeader.verbByte(out, 0), out, PacketHeader.IDX_PAYLOAD,
                    n - PacketHeader.IDX_PAYLOAD);
        } catch (WireFormatException e) {
            throw new AssertionError(line.get("verb").asText() + " payload: " + e.what());
        }
        assertEquals(verb, payload.verb(), "decoded verb");
        if (payload instanceof OkReply ok) {
            assertEquals(line.get("in_re_verb").asText(), Verb.ofCode(ok.inReVerb()).name(), "decoded in-re verb");
        }
        if (payload instanceof Hello hello) {
            assertEquals(PacketHeader.source(out, 0), hello.identity().address().value(), "HELLO identity = source");
        }
        assertEquals(HexFormat.of().formatHex(out, PacketHeader.IDX_PAYLOAD, n), HexFormat.of().formatHex(payload.toBytes()),
                line.get("verb").asText() + " re-encoded");
        payloadsDecoded++;
    }

    private int payloadsDecoded;

    private Armor armor(long a, long b) {
        return armors.computeIfAbsent(pair(a, b), k -> new Armor(key(a, b)));
    }

    /** The per-peer key of two nodes, agreed from both sides. */
    private byte[] key(long a, long b) {
        return keys.computeIfAbsent(pair(a, b), k -> {
            Identity x = Objects.requireNonNull(identities.get(a), () -> "unknown node " + address(a));
            Identity y = Objects.requireNonNull(identities.get(b), () -> "unknown node " + address(b));
            byte[] key = x.agree(y);
            assertArrayEquals(key, y.agree(x));
            return key;
        });
    }

    private static String pair(long a, long b) {
        return Math.min(a, b) + "-" + Math.max(a, b);
    }

    private Reassembler<Integer> reassembler(JsonNode line) {
        return reassemblers.computeIfAbsent(line.get("to_node").asText(), k -> new Reassembler<>());
    }

    private static long nowMs(JsonNode line) {
        return Math.round(line.get("t").asDouble() * 1000);
    }

    private static String address(long a) {
        return String.format("%010x", a);
    }
}
