package dev.zerokube.overlay.wire.verbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.Tag;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the worked examples of the protocol reference decode to the values they describe and
 * those values encode to the same bytes. Method: the byte tables of ZT1-03 §6.1 (HELLO), §6.2
 * (OK(NETWORK_CONFIG_REQUEST)), §4.16 (PUSH_DIRECT_PATHS) and ZT1-05 §9.3 (a complete
 * NETWORK_CREDENTIALS payload), typed in from the documents.
 */
class VerbExamplesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String... parts) {
        return HEX.parseHex(String.join("", parts).replace(" ", ""));
    }

    @Test
    void helloOfZt103Section61() throws WireFormatException {
        String key = "11".repeat(32) + "22".repeat(32);
        byte[] payload = hex("0C", "01", "0E", "0001", "0000018F2B3C4D5E", "DDEEAADDBB", "00", key, "00",
                "04C6336407 2709", "00000000 08EAC90A", "0000016CDB6A1C55", "0000");
        assertEquals(109, payload.length);
        Hello h = assertInstanceOf(Hello.class, VerbPayload.decode(Verb.HELLO.code(), payload, 0, payload.length));
        assertEquals(12, h.protocolVersion());
        assertEquals(1, h.majorVersion());
        assertEquals(14, h.minorVersion());
        assertEquals(1, h.revision());
        assertEquals(0x0000018F2B3C4D5EL, h.timestamp());
        assertEquals(new Address(0xddeeaaddbbL), h.identity().address());
        assertEquals(InetEndpoint.parse("198.51.100.7/9993"), h.sentTo());
        assertEquals(new Hello.Planet(149604618L, 0x0000016CDB6A1C55L), h.planet());
        assertEquals(List.of(), h.moons());
        assertArrayEquals(payload, h.toBytes());
        // The masked part is the moon count at P+107 (packet offsets 135..136).
        assertEquals(107, Hello.maskedTailOffset(payload, 0, payload.length));
    }

    @Test
    void okNetworkConfigRequestOfZt103Section62() throws WireFormatException {
        byte[] dictionary = new byte[300];
        Arrays.fill(dictionary, (byte) 'a');
        byte[] signature = new byte[96];
        Arrays.fill(signature, (byte) 0x5a);
        long requestId = 0x0102030405060708L;
        long updateId = 0x1122334455667788L;
        NetworkId nwid = NetworkId.parse("8056C2E21C000001");
        OkReply ok = new OkReply(requestId, new NetworkConfigRequestOk(new ConfigChunk(nwid, dictionary,
                ConfigChunk.Signed.c25519(0, updateId, 300, 0, signature))));
        byte[] b = ok.toBytes();
        assertEquals(435, b.length);
        assertEquals(0x0b, b[0]);
        assertArrayEquals(hex("0102030405060708"), Arrays.copyOfRange(b, 1, 9));
        assertArrayEquals(hex("8056C2E21C000001"), Arrays.copyOfRange(b, 9, 17));
        assertArrayEquals(hex("012C"), Arrays.copyOfRange(b, 17, 19));
        assertArrayEquals(dictionary, Arrays.copyOfRange(b, 19, 319));
        assertEquals(0, b[319]);
        assertArrayEquals(hex("1122334455667788"), Arrays.copyOfRange(b, 320, 328));
        assertArrayEquals(hex("0000012C"), Arrays.copyOfRange(b, 328, 332));
        assertArrayEquals(hex("00000000"), Arrays.copyOfRange(b, 332, 336));
        assertArrayEquals(hex("01", "0060"), Arrays.copyOfRange(b, 336, 339));
        assertArrayEquals(signature, Arrays.copyOfRange(b, 339, 435));
        // The signature covers P+9 .. P+335.
        NetworkConfigRequestOk body = (NetworkConfigRequestOk) ok.body();
        assertArrayEquals(Arrays.copyOfRange(b, 9, 336), body.chunk().signedMessage());
        assertEquals(ok, VerbPayload.decode(Verb.OK.code(), b, 0, b.length));
        // The same chunk as a NETWORK_CONFIG payload starts at P+0.
        NetworkConfig push = new NetworkConfig(body.chunk());
        assertArrayEquals(Arrays.copyOfRange(b, 9, 435), push.toBytes());
    }

    @Test
    void pushDirectPathsOfZt103Section416() throws WireFormatException {
        byte[] b = hex("0001", "00", "0000", "04", "06", "CB007105", "2709");
        PushDirectPaths p = assertInstanceOf(PushDirectPaths.class,
                VerbPayload.decode(Verb.PUSH_DIRECT_PATHS.code(), b, 0, b.length));
        assertEquals(1, p.paths().size());
        PushDirectPaths.PathRecord r = p.paths().get(0);
        assertEquals(InetEndpoint.parse("203.0.113.5/9993"), r.endpoint());
        assertEquals(r, PushDirectPaths.PathRecord.of(0, InetEndpoint.parse("203.0.113.5/9993")));
        assertArrayEquals(b, new PushDirectPaths(List.of(r)).toBytes());
    }

    @Test
    void networkCredentialsOfZt105Section93() throws WireFormatException {
        byte[] com = hex("01", "0007",
                "0000000000000000", "0000018f2b3c4d5e", "00000000001b7740",
                "0000000000000001", "1d939ff884000001", "0000000000000000",
                "0000000000000002", "0000007202a77aad", "ffffffffffffffff",
                "0000000000000003", "d3524594a552e7f2", "ffffffffffffffff",
                "0000000000000004", "d8d756695cd0bb04", "ffffffffffffffff",
                "0000000000000005", "30a81bb1d6176ba4", "ffffffffffffffff",
                "0000000000000006", "ade79594061b0230", "ffffffffffffffff",
                "1d939ff884",
                "36b62fadfdd60a3bb2cbfbc4469f4d55bf73d1597d2220afb420beed9680c225",
                "fc49a8a71dbfc40411226ad0495c71950eef10a653d5f9944114136ea214d907",
                "f4f17f21e097739aeb0ba7ab04a290e60df443adabe6b703c54a28552ca37086");
        byte[] tag = hex("1d939ff884000001", "0000018f2b3c4d5e", "000003e8", "0000002a", "7202a77aad",
                "1d939ff884", "01", "0060",
                "04585d0d8046a562ce4e9586130771b9e81da5ce00f58886c9cd4767a9aa4522",
                "ff979674246f41883e5c1f2b3008f479b4049a19e19c4efd21a82cc26b11520c",
                "d88321b0a6b8e1d1dab4e0e3f6812dcf068c8c7b8385d12af37d22949b7f5426", "0000");
        assertEquals(272, com.length);
        assertEquals(135, tag.length);
        byte[] payload = new byte[416];
        int at = 0;
        for (byte[] part : List.of(com, hex("00", "0000", "0001"), tag, hex("0000", "0000"))) {
            System.arraycopy(part, 0, payload, at, part.length);
            at += part.length;
        }
        assertEquals(416, at);
        NetworkCredentials c = assertInstanceOf(NetworkCredentials.class,
                VerbPayload.decode(Verb.NETWORK_CREDENTIALS.code(), payload, 0, payload.length));
        assertEquals(List.of(CertificateOfMembership.decode(new ByteReader(com, "COM"))), c.coms());
        assertEquals(List.of(Tag.decode(new ByteReader(tag, "tag"))), c.tags());
        assertEquals(List.of(), c.capabilities());
        assertEquals(List.of(), c.revocations());
        assertEquals(List.of(), c.coos());
        assertEquals(new Address(0x7202a77aadL), c.coms().get(0).issuedTo());
        assertArrayEquals(payload, c.toBytes());
    }
}
