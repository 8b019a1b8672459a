package dev.zerokube.overlay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.Datagram;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.PacketHeader;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the receive path up to verb dispatch is total for any datagram: classification, header
// fields, fragment decoding, dearmor (ciphers 0..7) with a fixed peer key, and decompression.
// Method: run those steps on any bytes with the A-B key of packets.jsonl (so the vector
// datagrams authenticate); nothing may throw. A packet that authenticates with cipher 0 or 1
// re-armors to exactly the bytes received. Separately, the input taken as a plaintext packet,
// armored with cipher 0, 1 or 3 (picked by its flags byte), dearmors to the same plaintext.
class PacketFuzzTest {
    private static final byte[] KEY = Vectors.hex(Vectors.read("packets.jsonl").getFirst(), "key");
    private static final Armor ARMOR = new Armor(KEY);
    private static final int[] ARMOR_CIPHERS = {
        PacketHeader.CIPHER_POLY1305_NONE, PacketHeader.CIPHER_POLY1305_SALSA2012, PacketHeader.CIPHER_AES_GMAC_SIV
    };

    private final byte[] work = new byte[PacketHeader.MAX_LENGTH];
    private final byte[] uncompressed = new byte[PacketHeader.MAX_LENGTH];

    static Stream<Arguments> seeds() {
        FuzzSeeds seeds = FuzzSeeds.builder()
                .hex("packets.jsonl", "datagram", "original_datagram", "hello_datagram", "reply_datagram",
                        "full_packet", "head", "bytes");
        return seeds.hex("capture/capture.jsonl", line -> line.path("len").asInt() < 1500, "hex").build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void packet(byte[] input) {
        int len = input.length;
        switch (Datagram.classify(input, 0, len)) {
            case FRAGMENT -> fragment(input);
            case PACKET -> receive(input);
            case BEACON, TOO_SHORT, TOO_LONG -> {
                // dropped by the receive path
            }
        }
        if (len >= PacketHeader.MIN_LENGTH && len <= PacketHeader.MAX_LENGTH) {
            armorRoundTrip(input);
        }
    }

    private static void fragment(byte[] input) {
        try {
            assertArrayEquals(input, Fragment.decode(input).encode(), "fragment encode(decode(b)) == b");
        } catch (WireFormatException e) {
            // refused: fine
        }
    }

    private void receive(byte[] input) {
        int len = input.length;
        // every header accessor on an unauthenticated packet
        PacketHeader.packetId(input, 0);
        PacketHeader.destination(input, 0);
        PacketHeader.source(input, 0);
        PacketHeader.hops(input, 0);
        PacketHeader.isFragmented(input, 0);
        PacketHeader.mac(input, 0);
        PacketHeader.trustedPathId(input, 0);
        int cipher = PacketHeader.cipher(input, 0);

        System.arraycopy(input, 0, work, 0, len);
        Armor.Verdict verdict = ARMOR.dearmor(work, 0, len);
        if (verdict != Armor.Verdict.AUTHENTICATED) {
            return;
        }
        assertTrue(cipher == PacketHeader.CIPHER_POLY1305_NONE || cipher == PacketHeader.CIPHER_POLY1305_SALSA2012
                || cipher == PacketHeader.CIPHER_AES_GMAC_SIV, "authenticated with cipher " + cipher);
        int n = Compression.uncompress(work, 0, len, uncompressed, 0);
        assertTrue(n == -1 || (n >= PacketHeader.MIN_LENGTH && n <= PacketHeader.MAX_LENGTH), "uncompressed length " + n);
        boolean legacyFlagAsArmorSetsIt = ((input[PacketHeader.IDX_FLAGS] & PacketHeader.FLAG_ENCRYPTED) != 0)
                == (cipher == PacketHeader.CIPHER_POLY1305_SALSA2012);
        if (cipher != PacketHeader.CIPHER_AES_GMAC_SIV && legacyFlagAsArmorSetsIt) {
            ARMOR.armor(work, 0, len, cipher);
            assertArrayEquals(input, Arrays.copyOf(work, len), "re-armoring a dearmored packet");
        }
    }

    private void armorRoundTrip(byte[] input) {
        int len = input.length;
        int cipher = ARMOR_CIPHERS[((input[PacketHeader.IDX_FLAGS] & 0xff) >>> 3) % ARMOR_CIPHERS.length];
        System.arraycopy(input, 0, work, 0, len);
        PacketHeader.setHops(work, 0, 0); // senders armor with hops 0 (cipher 3 authenticates them)
        ARMOR.armor(work, 0, len, cipher);
        assertEquals(Armor.Verdict.AUTHENTICATED, ARMOR.dearmor(work, 0, len), "dearmor(armor(p)) with cipher " + cipher);
        assertTrue(Arrays.equals(input, PacketHeader.IDX_VERB, len, work, PacketHeader.IDX_VERB, len),
                "dearmor(armor(p)) gives back verb and payload");
        assertEquals(PacketHeader.destination(input, 0), PacketHeader.destination(work, 0), "destination kept");
        assertEquals(PacketHeader.source(input, 0), PacketHeader.source(work, 0), "source kept");
    }
}
