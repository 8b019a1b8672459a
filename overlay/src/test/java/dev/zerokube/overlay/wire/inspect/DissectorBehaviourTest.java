package dev.zerokube.overlay.wire.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.inspect.DatagramRecord.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the dissector is total and bounded on input that is not a tidy capture: garbage, damaged
 * packets, fragments out of order, lost or duplicated, relayed copies, and more incomplete packets
 * than it may hold. Method: datagrams from the 1.14.1 capture, reordered or modified, and seeded
 * random bytes; every datagram must give exactly one record, in input order, and never an
 * exception.
 */
class DissectorBehaviourTest {
    static List<JsonNode> capture;
    static final int HEAD = 133;
    static final int FRAGMENT = 134;
    static final int WHOIS = 5;

    @BeforeAll
    static void load() {
        capture = Vectors.read("capture/capture.jsonl");
        assertTrue(capture.get(HEAD).get("fragment").asBoolean() && capture.get(FRAGMENT).get("kind").asText().equals("fragment"));
        assertEquals("WHOIS", capture.get(WHOIS).get("verb").asText());
    }

    static Dissector withAllSecrets() {
        Dissector d = new Dissector();
        for (String node : new String[] {"node_a", "node_b", "node_c"}) {
            d.addIdentity(DissectorCaptureTest.identity(node, "identity.secret"));
        }
        return d;
    }

    static byte[] bytes(int line) {
        return Vectors.hex(capture.get(line), "hex");
    }

    /** Feeds {@code datagrams} at 1 ms intervals and returns every record, checking one per datagram in order. */
    static List<DatagramRecord> run(Dissector d, List<byte[]> datagrams) {
        List<DatagramRecord> out = new ArrayList<>();
        for (int i = 0; i < datagrams.size(); i++) {
            out.addAll(d.onDatagram(i, i * 1000L, "198.18.0.1/9993", "198.18.0.2/9993", datagrams.get(i)));
        }
        out.addAll(d.finish());
        assertEquals(datagrams.size(), out.size());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(i, out.get(i).index());
        }
        return out;
    }

    @Test
    void fragmentBeforeItsHeadStillReassembles() {
        List<DatagramRecord> r = run(withAllSecrets(), List.of(bytes(FRAGMENT), bytes(HEAD)));
        assertEquals(Kind.FRAGMENT, r.get(0).kind());
        assertEquals(1L, r.get(0).headIndex());
        assertTrue(r.get(0).authOk());
        assertTrue(r.get(1).authOk());
        assertEquals(2838, r.get(1).reassembledLength());
        assertEquals(2, r.get(1).fragmentsTotal());
    }

    @Test
    void aHeadWithoutItsFragmentIsReportedIncomplete() {
        DatagramRecord head = run(withAllSecrets(), List.of(bytes(HEAD))).getFirst();
        assertEquals(Kind.PACKET, head.kind());
        assertTrue(head.fragment());
        assertFalse(head.authOk());
        assertNull(head.verb());
        assertNull(head.fragmentsTotal());
        assertNull(head.reassembledLength());
        assertEquals(0, head.fragmentNo());
        assertEquals("incomplete packet (have head)", head.summary());
    }

    @Test
    void aFragmentWithoutItsHeadIsReportedIncomplete() {
        DatagramRecord f = run(withAllSecrets(), List.of(bytes(FRAGMENT))).getFirst();
        assertEquals(Kind.FRAGMENT, f.kind());
        assertNull(f.headerSrc());
        assertNull(f.headIndex());
        assertNull(f.cipher());
        assertFalse(f.authOk());
        assertEquals(1, f.fragmentNo());
        assertEquals(2, f.fragmentsTotal());
        assertEquals("incomplete packet (have fragment 1 of 2 pieces)", f.summary());
    }

    @Test
    void duplicatesAreReportedAndDoNotDisturbReassembly() {
        List<DatagramRecord> r = run(withAllSecrets(), List.of(bytes(HEAD), bytes(HEAD), bytes(FRAGMENT), bytes(FRAGMENT)));
        assertTrue(r.get(0).authOk());
        assertTrue(r.get(1).summary().startsWith("duplicate head"), r.get(1).summary());
        assertTrue(r.get(2).authOk());
        assertEquals(0L, r.get(2).headIndex());
        // The second fragment copy arrives after the packet completed: nothing is waiting for it.
        assertFalse(r.get(3).authOk());
        assertTrue(r.get(3).summary().startsWith("incomplete packet"), r.get(3).summary());
    }

    @Test
    void aRelayedFragmentedPacketIsReassembledOncePerHop() {
        Dissector d = withAllSecrets();
        byte[] relayedHead = bytes(HEAD);
        relayedHead[18] |= 1;
        byte[] relayedFragment = bytes(FRAGMENT);
        relayedFragment[15] |= 1;
        List<DatagramRecord> out = new ArrayList<>();
        out.addAll(d.onDatagram(0, 0, "198.18.0.1/9993", "198.18.0.3/9993", bytes(HEAD)));
        out.addAll(d.onDatagram(1, 1, "198.18.0.3/9993", "198.18.0.2/9993", relayedHead));
        out.addAll(d.onDatagram(2, 2, "198.18.0.1/9993", "198.18.0.3/9993", bytes(FRAGMENT)));
        out.addAll(d.onDatagram(3, 3, "198.18.0.3/9993", "198.18.0.2/9993", relayedFragment));
        out.addAll(d.finish());
        assertEquals(4, out.size());
        for (DatagramRecord r : out) {
            assertTrue(r.authOk(), r.summary());
        }
        assertEquals(0L, out.get(2).headIndex());
        assertEquals(1L, out.get(3).headIndex());
        assertEquals(1, out.get(1).hops());
        assertEquals(1, out.get(3).hops());
    }

    @Test
    void damagedPacketsDoNotAuthenticateAndSayWhy() {
        byte[] flipped = bytes(WHOIS);
        flipped[30] ^= 1;
        byte[] cipher5 = bytes(WHOIS);
        cipher5[18] = (byte) ((cipher5[18] & 0xc7) | (5 << 3));
        byte[] trusted = bytes(WHOIS);
        trusted[18] = (byte) ((trusted[18] & 0xc7) | (2 << 3));
        byte[] hopsChanged = bytes(WHOIS);
        hopsChanged[18] |= 3;
        List<DatagramRecord> r = run(withAllSecrets(), List.of(flipped, cipher5, trusted, hopsChanged));
        assertFalse(r.get(0).authOk());
        assertNull(r.get(0).verb());
        assertNull(r.get(0).compressed());
        assertTrue(r.get(0).summary().startsWith("does not authenticate with the key of a976707aa3 and c1a675eb9f"),
                r.get(0).summary());
        assertEquals("undefined cipher suite 5: 1.14.1 drops it", r.get(1).summary());
        assertTrue(r.get(2).summary().startsWith("trusted path "), r.get(2).summary());
        assertFalse(r.get(2).authOk());
        assertTrue(r.get(3).authOk(), "hop bits are not authenticated");
        assertEquals(3, r.get(3).hops());
    }

    @Test
    void trustedPathPacketsAreReadInPlaintextAndNotCalledAuthenticated() {
        // ZT1-02 §11.2's example: A sends WHOIS(c9fee927f8) to B as cipher 2 with ID 0123456789abcdef
        byte[] whois = java.util.HexFormat.of().parseHex(
                "f0e1d2c3b4a59687" + "7202a77aad" + "1d939ff884" + "10" + "0123456789abcdef" + "04" + "c9fee927f8");
        DatagramRecord r = run(withAllSecrets(), List.of(whois)).getFirst();
        assertFalse(r.authOk(), "no MAC: nothing was authenticated");
        assertEquals(dev.zerokube.overlay.wire.Verb.WHOIS.code(), r.verb());
        assertTrue(r.summary().startsWith("trusted path 0123456789abcdef, no MAC: "), r.summary());
        assertTrue(r.summary().contains("c9fee927f8"), r.summary());
    }

    @Test
    void incompletePacketsAreBoundedByCount() {
        Dissector d = withAllSecrets();
        byte[] head = bytes(HEAD);
        for (int i = 0; i < Dissector.PENDING_PACKETS_MAX; i++) {
            head[0] = (byte) i;
            assertEquals(List.of(), d.onDatagram(i, i, "a", "b", head.clone()), "held while incomplete");
        }
        head[0] = (byte) 0xfe;
        List<DatagramRecord> released = d.onDatagram(99, 99, "a", "b", head.clone());
        assertEquals(1, released.size(), "the oldest incomplete packet is given up");
        assertEquals(0, released.getFirst().index());
        assertTrue(released.getFirst().summary().startsWith("incomplete packet"));
        assertEquals(Dissector.PENDING_PACKETS_MAX, d.finish().size());
    }

    @Test
    void incompletePacketsAreBoundedByTime() {
        Dissector d = withAllSecrets();
        assertEquals(List.of(), d.onDatagram(0, 0, "a", "b", bytes(HEAD)));
        assertEquals(List.of(), d.onDatagram(1, Dissector.REASSEMBLY_TIMEOUT_US, "a", "b", new byte[4]));
        List<DatagramRecord> r = d.onDatagram(2, Dissector.REASSEMBLY_TIMEOUT_US + 1, "a", "b", new byte[4]);
        assertEquals(3, r.size());
        assertTrue(r.getFirst().summary().startsWith("incomplete packet"));
    }

    @Test
    void heldRecordsAreBounded() {
        Dissector d = withAllSecrets();
        d.onDatagram(0, 0, "a", "b", bytes(HEAD));
        int released = 0;
        for (int i = 1; i <= Dissector.HELD_RECORDS_MAX; i++) {
            released += d.onDatagram(i, 0, "a", "b", new byte[4]).size();
        }
        assertEquals(Dissector.HELD_RECORDS_MAX + 1, released, "the pending head was given up, then everything flowed");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomBytesAndMutatedCaptureDatagramsNeverThrow(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> datagrams = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] b;
            if (random.nextBoolean()) {
                b = bytes(random.nextInt(capture.size()));
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips && b.length > 0; f++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                if (random.nextInt(8) == 0) {
                    b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
                }
            } else {
                b = new byte[random.nextInt(random.nextBoolean() ? 40 : 3000)];
                random.nextBytes(b);
                if (b.length > 18 && random.nextBoolean()) {
                    b[13] = (byte) 0xff; // a fragment
                    b[14] = (byte) ((2 + random.nextInt(6)) << 4 | (1 + random.nextInt(6)));
                } else if (b.length > 18 && random.nextBoolean()) {
                    b[18] |= 0x40; // a fragmented head
                }
            }
            datagrams.add(b);
        }
        for (DatagramRecord r : run(withAllSecrets(), datagrams)) {
            assertFalse(r.summary() == null || r.summary().isBlank());
        }
    }
}
