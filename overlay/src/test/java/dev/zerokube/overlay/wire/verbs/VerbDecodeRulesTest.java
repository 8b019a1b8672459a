package dev.zerokube.overlay.wire.verbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the decoders apply 1.14.1's rules for optional, partial and ignored parts (ZT1-03 §3,
 * §4, §7 item 1), and refuse what 1.14.1 drops. Method: hand-written payloads for each rule, one
 * verb at a time, checked against the values they must decode to or a WireFormatException.
 */
class VerbDecodeRulesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String IDENTITY = "22afb5217c" + "00" + "ab".repeat(64) + "00";
    private static final String HELLO_HEAD = "0c010e0001" + "0000019ad20f2800" + IDENTITY;

    private static VerbPayload decode(Verb verb, String hex) throws WireFormatException {
        byte[] b = HEX.parseHex(hex.replace(" ", ""));
        return VerbPayload.decode(verb.code(), b, 0, b.length);
    }

    private static void rejects(Verb verb, String hex) {
        assertThrows(WireFormatException.class, () -> decode(verb, hex), verb + " " + hex);
    }

    @Test
    void helloOptionalParts() throws WireFormatException {
        Hello bare = (Hello) decode(Verb.HELLO, HELLO_HEAD);
        assertNull(bare.sentTo());
        assertNull(bare.planet());
        assertNull(bare.moons());

        Hello addressOnly = (Hello) decode(Verb.HELLO, HELLO_HEAD + "00");
        assertEquals(InetEndpoint.NIL, addressOnly.sentTo());
        assertNull(addressOnly.planet());

        // Fewer than 16 bytes after the address: no planet; a moon count of 0 is read and dropped.
        Hello shortTail = (Hello) decode(Verb.HELLO, HELLO_HEAD + "00" + "0000" + "aabbcc");
        assertNull(shortTail.planet());
        assertNull(shortTail.moons());
        rejects(Verb.HELLO, HELLO_HEAD + "00" + "0001" + "aabbcc");

        String planet = "0000000008eac90a" + "0000017ee95760cd";
        Hello noMoons = (Hello) decode(Verb.HELLO, HELLO_HEAD + "00" + planet);
        assertNotNull(noMoons.planet());
        assertNull(noMoons.moons());
        // One byte after the planet: too short for a count, ignored.
        assertEquals(noMoons, decode(Verb.HELLO, HELLO_HEAD + "00" + planet + "07"));
        Hello oneMoon = (Hello) decode(Verb.HELLO, HELLO_HEAD + "00" + planet + "0001" + "7f" + "000000e8f21eec5e"
                + "0000000000000000");
        assertEquals(List.of(new Hello.Moon(127, 0xe8f21eec5eL, 0)), oneMoon.moons());
        rejects(Verb.HELLO, HELLO_HEAD + "00" + planet + "0002" + "7f" + "000000e8f21eec5e" + "0000000000000000");
        // An unknown address type fails the HELLO; a truncated identity too.
        rejects(Verb.HELLO, HELLO_HEAD + "05");
        rejects(Verb.HELLO, HELLO_HEAD.substring(0, HELLO_HEAD.length() - 2));
        // The identity type must be 0.
        rejects(Verb.HELLO, "0c010e0001" + "0000019ad20f2800" + "22afb5217c" + "01" + "ab".repeat(64) + "00");
    }

    @Test
    void helloOkOptionalParts() throws WireFormatException {
        String head = "01" + "bae156055d415689" + "0000019ad20f2800" + "0c010e0001";
        HelloOk bare = (HelloOk) ((OkReply) decode(Verb.OK, head)).body();
        assertNull(bare.reportedAddress());
        assertNull(bare.worldUpdates());
        HelloOk oneByte = (HelloOk) ((OkReply) decode(Verb.OK, head + "04c61200012709" + "00")).body();
        assertEquals(InetEndpoint.parse("198.18.0.1/9993"), oneByte.reportedAddress());
        assertNull(oneByte.worldUpdates());
        HelloOk empty = (HelloOk) ((OkReply) decode(Verb.OK, head + "00" + "0000")).body();
        assertArrayEquals(new byte[0], empty.worldUpdates());
        rejects(Verb.OK, head + "00" + "0003" + "0102");
        rejects(Verb.OK, head.substring(0, head.length() - 2));
    }

    @Test
    void whois() throws WireFormatException {
        Whois w = (Whois) decode(Verb.WHOIS, "22afb5217c" + "c9fee927f8" + "aabb");
        assertEquals(List.of(new Address(0x22afb5217cL), new Address(0xc9fee927f8L)), w.addresses());
        assertEquals(List.of(), ((Whois) decode(Verb.WHOIS, "")).addresses());
        WhoisOk ok = (WhoisOk) ((OkReply) decode(Verb.OK, "04" + "0102030405060708" + IDENTITY)).body();
        assertEquals(new Address(0x22afb5217cL), ok.identities().get(0).address());
        rejects(Verb.OK, "04" + "0102030405060708");
    }

    @Test
    void errorData() throws WireFormatException {
        String head = "0b" + "0102030405060708";
        String nwid = "8056c2e21c000001";
        ErrorReply plain = (ErrorReply) decode(Verb.ERROR, head + "09" + nwid);
        assertEquals(ErrorCode.NETWORK_AUTHENTICATION_REQUIRED, plain.code());
        assertEquals(NetworkId.parse(nwid), plain.networkId());
        assertNull(plain.errorData());
        assertArrayEquals(new byte[0], ((ErrorReply) decode(Verb.ERROR, head + "09" + nwid + "0000")).errorData());
        // A length alone (fewer than 3 bytes after the network id): no data, still an error of its kind.
        assertNull(((ErrorReply) decode(Verb.ERROR, head + "09" + nwid + "0005")).errorData());
        // Three or more bytes and a length past the end: 1.14.1 applies nothing; we drop it.
        rejects(Verb.ERROR, head + "09" + nwid + "0005" + "61");
        byte[] dict = "aU=https://x\n".getBytes(StandardCharsets.US_ASCII);
        ErrorReply auth = (ErrorReply) decode(Verb.ERROR, head + "09" + nwid + "000d" + HEX.formatHex(dict) + "ff");
        assertArrayEquals(dict, auth.errorData());
        // OBJ_NOT_FOUND ignores a bad length (1.14.1 never reads it).
        ErrorReply notFound = (ErrorReply) decode(Verb.ERROR, head + "03" + nwid + "0009" + "61");
        assertNull(notFound.errorData());
        assertEquals(ErrorCode.OBJ_NOT_FOUND, notFound.code());
        // NEED_MEMBERSHIP_CERTIFICATE in re FRAME: network id, trailing bytes ignored.
        ErrorReply need = (ErrorReply) decode(Verb.ERROR, "06" + "1111111111111111" + "06" + nwid + "abcd");
        assertEquals(ErrorReply.of(Verb.FRAME, 0x1111111111111111L, ErrorCode.NEED_MEMBERSHIP_CERTIFICATE,
                NetworkId.parse(nwid)), need);
        // Codes without data; an unknown code is kept.
        assertEquals(ErrorReply.of(Verb.HELLO, 1, ErrorCode.IDENTITY_COLLISION),
                decode(Verb.ERROR, "01" + "0000000000000001" + "04"));
        ErrorReply unknown = (ErrorReply) decode(Verb.ERROR, "01" + "0000000000000001" + "42" + "ffff");
        assertNull(unknown.code());
        assertEquals(0x42, unknown.errorCode());
        ErrorReply unwanted = (ErrorReply) decode(Verb.ERROR, "0e" + "0000000000000001" + "08" + nwid
                + "ffffffffffff" + "0a931101");
        assertEquals(0x0a931101L, unwanted.group().adi());
        rejects(Verb.ERROR, "0e" + "0000000000000001" + "08" + nwid + "ffffffffffff");
        rejects(Verb.ERROR, head + "07" + "8056c2e21c");
        rejects(Verb.ERROR, head);
        assertThrows(IllegalArgumentException.class,
                () -> new ErrorReply(1, 1, ErrorCode.NEED_MEMBERSHIP_CERTIFICATE.code(), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new ErrorReply(1, 1, 6, NetworkId.parse(nwid), null, new byte[1]));
    }

    @Test
    void okInReVerbs() throws WireFormatException {
        // 1.14.1 acknowledges a completed NETWORK_CONFIG with in-re verb ECHO.
        OkReply echoForm = (OkReply) decode(Verb.OK, "08" + "0102030405060708" + "8056c2e21c000001"
                + "1122334455667788");
        EchoOk echo = assertInstanceOf(EchoOk.class, echoForm.body());
        NetworkConfigOk ack = NetworkConfigOk.fromEchoOk(echo);
        assertEquals(new NetworkConfigOk(NetworkId.parse("8056c2e21c000001"), 0x1122334455667788L), ack);
        assertEquals(echo, ack.asEchoOk());
        assertNull(NetworkConfigOk.fromEchoOk(new EchoOk(new byte[15])));
        OkReply proper = (OkReply) decode(Verb.OK, "0c" + "0102030405060708" + "8056c2e21c000001" + "1122334455667788");
        assertEquals(ack, proper.body());
        // A full in-re byte with flag bits is not that verb.
        OkReply other = (OkReply) decode(Verb.OK, "81" + "0102030405060708" + "abcd");
        assertEquals(new OtherOk(0x81, HEX.parseHex("abcd")), other.body());
        assertThrows(IllegalArgumentException.class, () -> new OtherOk(0x01, new byte[0]));
        rejects(Verb.OK, "08" + "01020304050607");
    }

    @Test
    void gatherKeepsRequestWithBadCom() throws WireFormatException {
        String head = "8056c2e21c000001" + "01" + "ffffffffffff" + "0a931101" + "00000020";
        MulticastGather g = (MulticastGather) decode(Verb.MULTICAST_GATHER, head + "02ffff");
        assertEquals(1, g.flags());
        assertNull(g.com());
        assertEquals(32, g.gatherLimit());
        rejects(Verb.MULTICAST_GATHER, head.substring(0, head.length() - 2));
        // A COM in a MULTICAST_FRAME is not optional once flagged.
        rejects(Verb.MULTICAST_FRAME, "8056c2e21c000001" + "01" + "02ffff");
    }

    @Test
    void multicastFrameOptionalFieldsInOrder() throws WireFormatException {
        MulticastFrame f = (MulticastFrame) decode(Verb.MULTICAST_FRAME, "8056c2e21c000001" + "0e" + "00000005"
                + "0222afa9c3be" + "ffffffffffff" + "0a931101" + "0806" + "0001");
        assertEquals(5, f.gatherLimit());
        assertEquals("02:22:af:a9:c3:be", f.source().toString());
        assertEquals(0x0a931101L, f.group().adi());
        assertEquals(0x0806, f.etherType());
        assertArrayEquals(HEX.parseHex("0001"), f.data());
        MulticastFrame plain = (MulticastFrame) decode(Verb.MULTICAST_FRAME, "8056c2e21c000001" + "00"
                + "ffffffffffff" + "00000000" + "0800");
        assertNull(plain.source());
        assertEquals(0, plain.gatherLimit());
    }

    @Test
    void credentialsSectionsMayBeMissing() throws WireFormatException {
        NetworkCredentials none = (NetworkCredentials) decode(Verb.NETWORK_CREDENTIALS, "");
        assertEquals(new NetworkCredentials(List.of(), List.of(), List.of(), List.of(), List.of()), none);
        assertEquals(none, decode(Verb.NETWORK_CREDENTIALS, "00"));
        assertEquals(none, decode(Verb.NETWORK_CREDENTIALS, "00" + "0000" + "0000"));
        assertEquals(none, decode(Verb.NETWORK_CREDENTIALS, "00" + "0000" + "0000" + "0000" + "0000" + "ffff"));
        // An unsigned empty COM, then the end of the packet without the 0x00.
        NetworkCredentials com = (NetworkCredentials) decode(Verb.NETWORK_CREDENTIALS, "01" + "0000" + "0000000000");
        assertEquals(1, com.coms().size());
        rejects(Verb.NETWORK_CREDENTIALS, "00" + "00");
        rejects(Verb.NETWORK_CREDENTIALS, "00" + "0001" + "8056c2e21c000001");
        rejects(Verb.NETWORK_CREDENTIALS, "02");
    }

    @Test
    void configRequestAndChunks() throws WireFormatException {
        String head = "8056c2e21c000001" + "0003" + "613d62";
        NetworkConfigRequest bare = (NetworkConfigRequest) decode(Verb.NETWORK_CONFIG_REQUEST, head);
        assertNull(bare.current());
        assertArrayEquals("a=b".getBytes(StandardCharsets.US_ASCII), bare.metadata());
        assertNull(((NetworkConfigRequest) decode(Verb.NETWORK_CONFIG_REQUEST, head + "00".repeat(10))).current());
        assertEquals(new NetworkConfigRequest.CurrentConfig(1, 2), ((NetworkConfigRequest) decode(
                Verb.NETWORK_CONFIG_REQUEST, head + "0000000000000001" + "0000000000000002")).current());
        rejects(Verb.NETWORK_CONFIG_REQUEST, "8056c2e21c000001" + "0004" + "613d62");

        NetworkConfig legacy = (NetworkConfig) decode(Verb.NETWORK_CONFIG, head);
        assertNull(legacy.chunk().signed());
        assertThrows(IllegalStateException.class, () -> legacy.chunk().signedMessage());
        String trailer = "01" + "1122334455667788" + "00000003" + "00000000";
        NetworkConfig odd = (NetworkConfig) decode(Verb.NETWORK_CONFIG, head + trailer + "02" + "0002" + "abcd");
        assertFalse(odd.chunk().signed().isC25519());
        assertTrue(odd.chunk().signed().fastPropagate());
        NetworkConfig good = (NetworkConfig) decode(Verb.NETWORK_CONFIG, head + trailer + "01" + "0060" + "77".repeat(96));
        assertTrue(good.chunk().signed().isC25519());
        // Any byte after the data starts the signed trailer, which must then be complete.
        rejects(Verb.NETWORK_CONFIG, head + "01");
        rejects(Verb.NETWORK_CONFIG, head + trailer + "01" + "0060" + "77".repeat(95));
    }

    @Test
    void smallVerbs() throws WireFormatException {
        Rendezvous v4 = (Rendezvous) decode(Verb.RENDEZVOUS, "00" + "c9fee927f8" + "2709" + "04" + "c6120002");
        assertEquals(InetEndpoint.parse("198.18.0.2/9993"), v4.endpoint());
        assertEquals(v4, Rendezvous.of(new Address(0xc9fee927f8L), InetEndpoint.parse("198.18.0.2/9993")));
        Rendezvous odd = (Rendezvous) decode(Verb.RENDEZVOUS, "00" + "c9fee927f8" + "2709" + "07" + "00".repeat(7));
        assertNull(odd.endpoint());
        rejects(Verb.RENDEZVOUS, "00" + "c9fee927f8" + "2709" + "10" + "00".repeat(15));

        RemoteTrace trace = (RemoteTrace) decode(Verb.REMOTE_TRACE, HEX.formatHex("a=b\0\0c=d\0tail".getBytes(
                StandardCharsets.US_ASCII)));
        assertEquals(3, trace.traces().size());
        assertArrayEquals("c=d".getBytes(StandardCharsets.US_ASCII), trace.traces().get(2));
        assertArrayEquals("tail".getBytes(StandardCharsets.US_ASCII), trace.unterminated());
        assertThrows(IllegalArgumentException.class, () -> RemoteTrace.of(new byte[] {'a', 0}));

        QosMeasurement qos = (QosMeasurement) decode(Verb.QOS_MEASUREMENT, "0100000000000000" + "0200" + "0102030405");
        assertEquals(List.of(new QosMeasurement.Sample(1, 2)), qos.samples());
        assertEquals(new PathNegotiationRequest((short) -2), decode(Verb.PATH_NEGOTIATION_REQUEST, "fffe"));
        rejects(Verb.PATH_NEGOTIATION_REQUEST, "ff");
        rejects(Verb.USER_MESSAGE, "00000000000001");
        assertEquals(new UserMessage(0x10000, new byte[0]), decode(Verb.USER_MESSAGE, "0000000000010000"));
        rejects(Verb.FRAME, "8056c2e21c000001" + "08");
        rejects(Verb.MULTICAST_LIKE, "8056c2e21c000001" + "ffffffffffff" + "0a9311");
        assertEquals(Nop.INSTANCE, decode(Verb.NOP, "abcd"));
        assertEquals(new Ack(HEX.parseHex("00000010")), decode(Verb.ACK, "00000010"));
    }

    @Test
    void extFrameFlags() throws WireFormatException {
        ExtFrame watch = (ExtFrame) decode(Verb.EXT_FRAME, "8056c2e21c000001" + "16" + "0222afa9c3be" + "02c9fe8ae0af"
                + "0800" + "45");
        assertEquals(3, watch.subtype());
        assertTrue(watch.ackRequested());
        assertNull(watch.com());
        assertEquals(6, new ExtFrame(watch.networkId(), ExtFrame.FLAGS_WATCH_INBOUND, null, watch.to(), watch.from(),
                0x0800, new byte[0]).subtype());
        rejects(Verb.EXT_FRAME, "8056c2e21c000001" + "01" + "0222afa9c3be" + "02c9fe8ae0af" + "0800");
    }

    @Test
    void verbNumbersAndFlagBits() throws WireFormatException {
        byte[] b = HEX.parseHex("abcd");
        // The verb byte's flag bits do not change which verb is decoded.
        assertInstanceOf(Echo.class, VerbPayload.decode(0x88, b, 0, b.length));
        UnassignedVerb u = (UnassignedVerb) VerbPayload.decode(0x0f, b, 0, b.length);
        assertEquals(0x0f, u.verbCode());
        assertNull(u.verb());
        assertArrayEquals(b, u.toBytes());
        assertThrows(IllegalArgumentException.class, () -> new UnassignedVerb(Verb.ECHO.code(), b));
    }
}
