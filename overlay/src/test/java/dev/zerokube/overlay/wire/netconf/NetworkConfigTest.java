package dev.zerokube.overlay.wire.netconf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Dictionary;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.SignerLookup;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.credentials.VerifyResult;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/*
 * Goal: NetworkConfig decodes every config 1.14.1 produced into the fields 1.14.1 parsed, and
 * encodes values into exactly 1.14.1's bytes. Method: every line of vectors/netconf.jsonl (decode
 * and compare field by field with NetworkConfig.differences; build from the fields and compare
 * bytes; refusals), the configs the live capture's members stored, and hand-made dictionaries for
 * each parse rule and quirk of ZT1-04 §3. Random round trips and malformed input are in
 * NetworkConfigRoundTripTest.
 */
class NetworkConfigTest {

    @TestFactory
    Stream<DynamicTest> vectors() {
        return Vectors.each("netconf.jsonl", "kind", Map.of(
                "netconf", NetworkConfigTest::netconfLine,
                "netconf_decode", NetworkConfigTest::decodeLine,
                "controller_config", NetworkConfigTest::controllerLine),
                Map.of("netconf", 6, "netconf_decode", 7, "controller_config", 8));
    }

    // A config built by 1.14.1 from fixed values: parse it, and encode the same values.
    private static void netconfLine(JsonNode line) throws WireFormatException {
        assertTrue(line.get("to_dictionary_ok").asBoolean());
        assertTrue(line.get("from_dictionary_ok").asBoolean());
        byte[] dictionary = checkedDictionary(line);
        NetworkConfig expected = NetconfVectorFields.toConfig(line.get("fields"));
        NetworkConfig decoded = NetworkConfig.decode(dictionary);
        assertEquals(List.of(), decoded.differences(expected));
        assertEquals(expected, decoded);

        byte[] reencoded = expected.encode();
        if (line.get("reencode_identical").asBoolean()) {
            assertEquals(Vectors.hex(dictionary), Vectors.hex(reencoded));
        } else {
            // full_featured: 1.14.1 was given the capabilities as 2000, 1000 and its parser sorts.
            assertNotEquals(Vectors.hex(dictionary), Vectors.hex(reencoded));
        }
        assertEquals(Vectors.hex(dictionary), Vectors.hex(inBlobOrder(decoded, dictionary).encode()));
    }

    private static void decodeLine(JsonNode line) {
        byte[] dictionary = checkedDictionary(line);
        if (line.get("from_dictionary_ok").asBoolean()) {
            NetworkConfig decoded = assertDecodes(dictionary);
            assertEquals(List.of(), decoded.differences(NetconfVectorFields.toConfig(line.get("fields"))));
        } else {
            assertTrue(line.get("fields").isNull());
            WireFormatException e = assertThrows(WireFormatException.class, () -> NetworkConfig.decode(dictionary));
            assertTrue(e.what().startsWith("NetworkConfig: "), e.what());
        }
    }

    // The 1.14.1 controller's answer to a request: this issue checks the request metadata and
    // that a produced config decodes to the recorded fields (the controller itself comes later).
    private static void controllerLine(JsonNode line) throws WireFormatException {
        byte[] metadataBytes = Vectors.hex(line, "request_metadata");
        assertEquals(line.get("request_metadata_text").asText(), new String(metadataBytes, StandardCharsets.ISO_8859_1));
        ConfigRequestMetadata metadata = ConfigRequestMetadata.decode(metadataBytes);
        Dictionary metadataDict = Dictionary.of(metadataBytes, Dictionary.CONFIG_REQUEST_METADATA_CAPACITY);
        ConfigRequestMetadata node = ConfigRequestMetadata.zeroTier1141("linux/x86_64");
        if (metadataDict.contains("revr")) {
            ConfigRequestMetadata expected = metadataDict.contains("a")
                    ? node.withAuthToken(metadata.authToken().orElseThrow()) : node;
            assertEquals(expected, metadata);
            assertEquals(Vectors.hex(metadataBytes), Vectors.hex(expected.encode()));
        } else {
            assertEquals(0, metadata.rulesEngineRevision(), "revr absent reads as 0");
            assertEquals(node.configVersion(), metadata.configVersion());
        }

        NetworkId nwid = NetworkId.parse(line.get("network_id").asText());
        String result = line.get("result").asText();
        if (result.equals("error")) {
            assertTrue(line.get("error_code").asInt() > 0);
            assertFalse(line.has("dictionary"));
            return;
        }
        assertEquals("config", result);
        assertTrue(line.get("from_dictionary_ok").asBoolean());
        byte[] dictionary = checkedDictionary(line);
        NetworkConfig decoded = NetworkConfig.decode(dictionary);
        assertEquals(List.of(), decoded.differences(NetconfVectorFields.toConfig(line.get("fields"))));
        // Cross-checks against the request's inputs.
        assertEquals(nwid, decoded.networkId());
        assertEquals(line.get("request_time").asLong(), decoded.timestampMs());
        assertEquals(identityAddress(line.get("member_identity").asText()), decoded.issuedTo());
        // Every credential is the member's and verifies with the controller's key.
        Identity controllerIdentity = identity(line.get("controller_identity_secret").asText());
        SignerLookup controller = a -> a.equals(controllerIdentity.address()) ? controllerIdentity : null;
        assertEquals(VerifyResult.OK, decoded.certificateOfMembership().orElseThrow().verify(controller));
        assertEquals(decoded.issuedTo(), decoded.certificateOfMembership().orElseThrow().issuedTo());
        for (Capability cap : decoded.capabilities()) {
            assertEquals(VerifyResult.OK, cap.verify(controller));
            assertEquals(decoded.issuedTo(), cap.issuedTo());
        }
        for (Tag tag : decoded.tags()) {
            assertEquals(VerifyResult.OK, tag.verify(controller));
            assertEquals(decoded.issuedTo(), tag.issuedTo());
        }
        decoded.certificatesOfOwnership().forEach(coo -> assertEquals(VerifyResult.OK, coo.verify(controller)));
        if (metadata.rulesEngineRevision() == 0) {
            // Requesters without a rules engine get a single ACCEPT and no capabilities or tags.
            assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_ACCEPT)), decoded.rules());
            assertTrue(decoded.capabilities().isEmpty() && decoded.tags().isEmpty());
        }
        // A controller's config is canonical: it re-encodes to the same bytes (CAP in its order).
        assertEquals(Vectors.hex(dictionary), Vectors.hex(inBlobOrder(decoded, dictionary).encode()));
    }

    private static Address identityAddress(String identity) {
        return Address.fromLow40Bits(Long.parseLong(identity.substring(0, 10), 16));
    }

    private static byte[] checkedDictionary(JsonNode line) {
        byte[] dictionary = Vectors.hex(line, "dictionary");
        assertEquals(line.get("dictionary_text").asText(), new String(dictionary, StandardCharsets.ISO_8859_1));
        if (line.has("dictionary_length")) {
            assertEquals(line.get("dictionary_length").asInt(), dictionary.length);
        }
        return dictionary;
    }

    private static NetworkConfig assertDecodes(byte[] dictionary) {
        try {
            return NetworkConfig.decode(dictionary);
        } catch (WireFormatException e) {
            throw new AssertionError("refused: " + e.what(), e);
        }
    }

    /**
     * {@code decoded} with its capabilities and tags put back in the order their bytes appear in
     * the dictionary's {@code CAP}/{@code TAG} values (the parser sorts them), found by content.
     */
    static NetworkConfig inBlobOrder(NetworkConfig decoded, byte[] dictionary) {
        Dictionary d = Dictionary.of(dictionary, Dictionary.NETWORK_CONFIG_CAPACITY);
        return decoded.toBuilder()
                .capabilities(blobOrder(decoded.capabilities(), Capability::toBytes, d.get("CAP").orElse(new byte[0])))
                .tags(blobOrder(decoded.tags(), Tag::toBytes, d.get("TAG").orElse(new byte[0])))
                .build();
    }

    private static <T> List<T> blobOrder(List<T> items, Function<T, byte[]> bytes, byte[] blob) {
        List<T> left = new ArrayList<>(items);
        List<T> out = new ArrayList<>();
        int p = 0;
        while (!left.isEmpty()) {
            final int at = p;
            T next = left.stream().filter(c -> {
                byte[] b = bytes.apply(c);
                return at + b.length <= blob.length && Arrays.equals(b, Arrays.copyOfRange(blob, at, at + b.length));
            }).findFirst().orElseThrow(() -> new AssertionError("no parsed credential at offset " + at));
            left.remove(next);
            out.add(next);
            p += bytes.apply(next).length;
        }
        return out;
    }

    // ------------------------------------------------------------------ live capture

    /** The configs the capture's members stored parse, carry the capture's network, and re-encode. */
    @TestFactory
    Stream<DynamicTest> captureConfigs() {
        JsonNode nodes = Vectors.readJson("capture/nodes.json");
        String nwid = read("capture/network_id").trim();
        JsonNode program = Vectors.read("rules.jsonl").stream()
                .filter(l -> l.path("name").asText().equals("capture-network-program")).findFirst().orElseThrow();
        byte[] captureRules = Vectors.hex(program, "binary");
        String captureCapabilityRules = program.get("binary_capabilities").get(0).get("binary").asText();
        Identity controllerIdentity = identity(read("capture/node_c/identity.public").trim());
        SignerLookup controller = a -> a.equals(controllerIdentity.address()) ? controllerIdentity : null;
        return Stream.of("a", "b").map(node -> DynamicTest.dynamicTest("capture node_" + node, () -> {
            byte[] conf = Files.readAllBytes(Vectors.file("capture/node_" + node + "/networks.d/" + nwid + ".conf"));
            NetworkConfig c = NetworkConfig.decode(conf);
            assertEquals(NetworkId.parse(nwid), c.networkId());
            assertEquals(Address.parse(nodes.get(node).asText()), c.issuedTo());
            assertEquals("zkcap", c.name());
            assertTrue(c.isPrivate());
            assertEquals(2800, c.mtu());
            assertEquals(32, c.multicastLimit());
            assertEquals(NetworkConfig.FLAG_ENABLE_BROADCAST | NetworkConfig.FLAG_ENABLE_IPV6_NDP_EMULATION, c.flags());
            assertEquals(List.of(Route.direct(InetEndpoint.parse("10.147.17.0/24"))), c.routes());
            assertEquals(Vectors.hex(captureRules), Vectors.hex(RuleCodec.encodeTable(c.rules())));
            assertEquals(8, c.rules().size());
            assertEquals(Dns.NONE, c.dns());
            String v4 = node.equals("a") ? "10.147.17.11/24" : "10.147.17.12/24";
            assertTrue(c.staticIps().contains(InetEndpoint.parse(v4)), c.staticIps().toString());
            // Tag role (id 100): A was given value 2, B takes the default 1.
            assertEquals(1, c.tags().size());
            assertEquals(100, c.tags().getFirst().id());
            assertEquals(node.equals("a") ? 2 : 1, c.tags().getFirst().value());
            // Capability ssh (id 2000) only for A; its rule table is the compiled one.
            assertEquals(node.equals("a") ? 1 : 0, c.capabilities().size());
            c.capability(2000).ifPresent(cap -> assertEquals(captureCapabilityRules,
                    Vectors.hex(RuleCodec.encodeTable(cap.rules()))));
            // Every credential in it was issued to this member and signed by the controller C.
            CertificateOfMembership com = c.certificateOfMembership().orElseThrow();
            assertEquals(c.issuedTo(), com.issuedTo());
            assertEquals(VerifyResult.OK, com.verify(controller));
            for (Capability cap : c.capabilities()) {
                assertEquals(c.issuedTo(), cap.issuedTo());
                assertEquals(VerifyResult.OK, cap.verify(controller));
            }
            for (Tag tag : c.tags()) {
                assertEquals(c.issuedTo(), tag.issuedTo());
                assertEquals(VerifyResult.OK, tag.verify(controller));
            }
            assertEquals(1, c.certificatesOfOwnership().size());
            assertEquals(VerifyResult.OK, c.certificatesOfOwnership().getFirst().verify(controller));
            assertEquals(Vectors.hex(conf), Vectors.hex(inBlobOrder(c, conf).encode()));
        }));
    }

    private static Identity identity(String text) {
        try {
            return Identity.parse(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String read(String relative) {
        try {
            return Files.readString(Vectors.file(relative));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ parse rules (ZT1-04 §3)

    private static final String BASE = "v=7\nnwid=569957c763000001\nid=22afb5217c";

    private static NetworkConfig parse(String text) throws WireFormatException {
        return NetworkConfig.decode(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String refusal(String text) {
        return assertThrows(WireFormatException.class, () -> parse(text)).what();
    }

    @Test
    void refusals() {
        assertTrue(refusal("v=5\nnwid=1\nid=1").contains("legacy"));
        assertTrue(refusal("nwid=1\nid=1").contains("legacy"), "a missing version is 0");
        assertTrue(refusal("v=7\nnwid=0\nid=1").contains("nwid"));
        assertTrue(refusal("v=7\nnwid=1\nid=10000000000").contains("id"), "id is cut to 40 bits: 0");
        assertTrue(refusal("v=7\nnwid=1").contains("issued-to"));
    }

    @Test
    void numbersAreCutToTheWidthsOf114Fields() throws WireFormatException {
        NetworkConfig c = parse("v=-1\nnwid=1\nid=ff22afb5217c\ntt=1ff00000001\ntl=100000003\nml=1ffffffff"
                + "\nt=100000001\nmtu=1000004ff\nts=ffffffffffffffff");
        assertEquals(new Address(0x22afb5217cL), c.issuedTo());
        assertEquals(new Address(0xff00000001L), c.remoteTraceTarget());
        assertEquals(3, c.remoteTraceLevel());
        assertEquals(0xffffffffL, c.multicastLimit());
        assertEquals(1, c.type());
        assertEquals(1280, c.mtu(), "0x4ff after the cut, then clamped up");
        assertEquals(-1, c.timestampMs());
    }

    @Test
    void textIsCutToItsBuffer() throws WireFormatException {
        NetworkConfig c = parse(BASE + "\nn=" + "x".repeat(200));
        assertEquals("x".repeat(127), c.name());
        assertEquals("ab", parse(BASE + "\nn=ab\\0cd").name(), "a NUL ends the name");
        assertArrayEquals(new byte[] {(byte) 0xe9}, parse(BASE + "\nn=\u00e9").nameBytes(),
                "bytes are kept as received");
        NetworkConfig round = parse(new String(parse(BASE + "\nn=\u00e9").encode(), StandardCharsets.ISO_8859_1));
        assertArrayEquals(new byte[] {(byte) 0xe9}, round.nameBytes());
    }

    @Test
    void ssoFieldsAreReadPerVersion() throws WireFormatException {
        NetworkConfig v0off = parse(BASE + "\nssov=0\nssoe=0\naurl=u\naexpt=5");
        assertEquals("", v0off.authenticationUrl());
        assertEquals(0, v0off.authenticationExpiryTimeMs());
        assertEquals("default", v0off.ssoProvider());
        NetworkConfig v0on = parse(BASE + "\nssov=0\nssoe=1\naurl=u\naexpt=-5\niurl=i");
        assertEquals("u", v0on.authenticationUrl());
        assertEquals(-5, v0on.authenticationExpiryTimeMs(), "aexpt is read signed");
        assertEquals("", v0on.issuerUrl());
        NetworkConfig v1off = parse(BASE + "\nssov=1\nssoe=0\niurl=i\nssop=p");
        assertEquals("", v1off.issuerUrl());
        assertEquals("", v1off.ssoProvider(), "1.14.1 clears the provider too");
        NetworkConfig v1on = parse(BASE + "\nssov=1\nssoe=1\niurl=i\naurl=u\nssop=");
        assertEquals("i", v1on.issuerUrl());
        assertEquals("u", v1on.authenticationUrl());
        assertEquals("default", v1on.ssoProvider(), "an empty provider reads as default");
        NetworkConfig v2 = parse(BASE + "\nssov=2\nssoe=1\naurl=u\niurl=i");
        assertEquals(2, v2.ssoVersion());
        assertTrue(v2.ssoEnabled());
        assertEquals("", v2.authenticationUrl());
        assertFalse(new String(v2.encode(), StandardCharsets.ISO_8859_1).contains("sso"),
                "1.14.1 writes no SSO keys for other versions");
    }

    @Test
    void capabilitiesAndTagsAreSortedByIdAndABadOneEndsTheList() throws WireFormatException {
        byte[] tag7 = tag(7, 1);
        byte[] tag3 = tag(3, 2);
        byte[] tagMax = tag(0xffffffffL, 3);
        byte[] blob = concat(tagMax, tag7, tag3, Arrays.copyOf(tag3, 40));
        NetworkConfig c = NetworkConfig.from(blobs("TAG", blob));
        assertEquals(List.of(3L, 7L, 0xffffffffL), c.tags().stream().map(Tag::id).toList(),
                "sorted as unsigned, the truncated fourth dropped");
        NetworkConfig garbage = NetworkConfig.from(blobs("TAG", new byte[] {1, 2, 3}, "CAP", new byte[5]));
        assertTrue(garbage.tags().isEmpty());
        assertTrue(garbage.capabilities().isEmpty());
    }

    @Test
    void tooManyCapabilitiesAreRefused() {
        byte[] cap = Vectors.hex(Vectors.read("netconf.jsonl").get(1).get("fields").get("capabilities").get(0));
        byte[][] caps = new byte[NetworkConfig.CAPABILITIES_MAX + 1][];
        Arrays.fill(caps, cap);
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> NetworkConfig.from(blobs("CAP", concat(caps))));
        assertTrue(e.what().contains("more than 128 capabilities"), e.what());
    }

    @Test
    void bufferedValuesFollow114() throws WireFormatException {
        // Specialists: whole 8-byte words only; routes/IPs: reserved address types read as nil.
        NetworkConfig c = NetworkConfig.from(blobs(
                "S", hex("0000020000000001" + "00000400000000020304"),
                "I", hex("01"),
                "RT", hex("0300010a" + "040a0000010008" + "0001" + "0002")));
        assertEquals(List.of(new Specialist(0x0000020000000001L), new Specialist(0x0000040000000002L)), c.specialists());
        assertEquals(List.of(new Address(1)), c.activeBridges());
        assertEquals(List.of(new Address(2)), c.alwaysContactAddresses());
        assertEquals(List.of(InetEndpoint.NIL), c.staticIps(), "type 1 is skipped as 7 bytes even past the end");
        assertEquals(List.of(new Route(InetEndpoint.NIL, InetEndpoint.parse("10.0.0.1/8"), 1, 2)), c.routes());
        // DNS: the domain stops at NUL; trailing nil servers are dropped, a nil between kept.
        byte[] dns = new byte[128 + 1 + 7 + 1 + 1];
        dns[0] = 'z';
        dns[1] = 'k';
        dns[5] = 'x';
        System.arraycopy(hex("04c0a800010035"), 0, dns, 129, 7);
        NetworkConfig withDns = NetworkConfig.from(blobs("DNS", dns));
        assertEquals(Dns.of("zk", List.of(InetEndpoint.NIL, InetEndpoint.parse("192.168.0.1/53"))), withDns.dns());
    }

    @Test
    void ruleTableIsReadAs114ReadsIt() throws WireFormatException {
        // A length byte may point past the end (the table just ends); typed fields may not.
        assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_DROP), RuleEntry.Action.of(RuleType.ACTION_ACCEPT)),
                NetworkConfig.from(blobs("R", hex("0000" + "0105"))).rules());
        assertThrows(WireFormatException.class, () -> NetworkConfig.from(blobs("R", hex("250408"))));
        // Entries after the 1024th are ignored.
        byte[] table = hex("0100".repeat(NetworkConfig.RULES_MAX) + "2500");
        assertEquals(NetworkConfig.RULES_MAX, NetworkConfig.from(blobs("R", table)).rules().size());
    }

    @Test
    void malformedBinaryValuesRefuseTheConfig() {
        Map<String, String> bad = Map.of(
                "C", "02",
                "RT", "040a000001000800",
                "I", "05",
                "DNS", "00".repeat(128),
                "COO", "00".repeat(29),
                "R", "2500");
        bad.forEach((key, hex) -> {
            WireFormatException e = assertThrows(WireFormatException.class,
                    () -> NetworkConfig.from(blobs(key, hex(hex))), key);
            assertTrue(e.what().startsWith("NetworkConfig: "), e.what());
        });
        byte[] nineQualifiers = new byte[3 + 9 * 24 + 5];
        nineQualifiers[0] = 1;
        nineQualifiers[2] = 9;
        assertThrows(WireFormatException.class, () -> NetworkConfig.from(blobs("C", nineQualifiers)));
    }

    @Test
    void bytesThatDoNotFitTheCapacityAreRefused() {
        byte[] big = new byte[Dictionary.NETWORK_CONFIG_CAPACITY];
        Arrays.fill(big, (byte) 'x');
        byte[] head = BASE.concat("\nn=").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, big, 0, head.length);
        assertThrows(WireFormatException.class, () -> NetworkConfig.decode(big));
        assertTrue(assertDecodes(Arrays.copyOf(big, big.length - 1)).name().length() == 127);
    }

    @Test
    void builderRefusesWhatCannotBeEncodedFaithfully() {
        NetworkConfig.Builder ok = NetworkConfig.builder().networkId(new NetworkId(1)).issuedTo(new Address(1));
        ok.build();
        assertThrows(IllegalArgumentException.class, () -> NetworkConfig.builder().networkId(new NetworkId(0))
                .issuedTo(new Address(1)).build());
        assertThrows(IllegalArgumentException.class, () -> NetworkConfig.builder().networkId(new NetworkId(1))
                .issuedTo(Address.NONE).build());
        assertThrows(IllegalArgumentException.class, () -> copy(ok).name("x".repeat(128)).build());
        assertThrows(IllegalArgumentException.class, () -> copy(ok).name("a\0b").build());
        assertThrows(IllegalArgumentException.class, () -> copy(ok).mtu(1279).build());
        assertThrows(IllegalArgumentException.class, () -> copy(ok).multicastLimit(1L << 32).build());
        assertThrows(IllegalArgumentException.class, () -> copy(ok).rules(java.util.Collections.nCopies(1025,
                RuleEntry.Action.of(RuleType.ACTION_DROP))).build());
        assertThrows(IllegalArgumentException.class, () -> copy(ok).ssoProvider("p".repeat(64)).build());
        assertThrows(IllegalArgumentException.class, () -> copy(ok).staticIps(
                java.util.Collections.nCopies(33, InetEndpoint.NIL)).build());
    }

    private static NetworkConfig.Builder copy(NetworkConfig.Builder b) {
        return b.build().toBuilder();
    }

    @Test
    void minimalConfigEncodesLike114() {
        // ZT1-04 §3.5 without its rule/route/IP blobs: the fixed keys, DNS and SSO always present.
        NetworkConfig c = NetworkConfig.builder().networkId(NetworkId.parse("8056c2e21c000001"))
                .timestampMs(0x18f2b3c4d5eL).credentialTimeMaxDeltaMs(7_200_000).revision(5)
                .issuedTo(Address.parse("89e92ceee5")).flags(6).multicastLimit(32).name("my=net\\x").build();
        String expected = "v=0000000000000007\nnwid=8056c2e21c000001\nts=0000018f2b3c4d5e\nctmd=00000000006ddd00\n"
                + "r=0000000000000005\nid=89e92ceee5\ntt=0000000000\ntl=0000000000000000\nf=0000000000000006\n"
                + "ml=0000000000000020\nt=0000000000000000\nn=my\\enet\\\\x\nmtu=0000000000000af0\n"
                + "DNS=" + "\\0".repeat(132) + "\nssov=0000000000000000\nssoe=0";
        assertEquals(expected, new String(c.encode(), StandardCharsets.ISO_8859_1));
        assertEquals(List.of("v", "nwid", "ts", "ctmd", "r", "id", "tt", "tl", "f", "ml", "t", "n", "mtu", "DNS",
                "ssov", "ssoe"), c.toDictionary().orElseThrow().keys());
    }

    @Test
    void workedExampleOfZt104() throws WireFormatException {
        // ZT1-04 §3.5: 581 bytes with RT, I and R.
        NetworkConfig c = NetworkConfig.builder().networkId(NetworkId.parse("8056c2e21c000001"))
                .timestampMs(0x18f2b3c4d5eL).credentialTimeMaxDeltaMs(7_200_000).revision(5)
                .issuedTo(Address.parse("89e92ceee5")).flags(6).multicastLimit(32).name("my=net\\x")
                .staticIps(List.of(InetEndpoint.parse("10.147.17.5/24")))
                .routes(List.of(Route.direct(InetEndpoint.parse("10.147.17.0/24"))))
                .rules(List.of(RuleEntry.Action.of(RuleType.ACTION_ACCEPT))).build();
        byte[] bytes = c.encode();
        assertEquals(581, bytes.length);
        assertEquals(c, NetworkConfig.decode(bytes));
        Dictionary d = Dictionary.of(bytes, Dictionary.NETWORK_CONFIG_CAPACITY);
        assertEquals("045c6e93115c305c30185c305c305c305c305c30",
                Vectors.hex(Arrays.copyOfRange(bytes, indexOf(bytes, "RT=") + 3, indexOf(bytes, "\nI="))));
        assertEquals(Optional.of("0100"), d.get("R").map(Vectors::hex));
    }

    private static int indexOf(byte[] bytes, String s) {
        return new String(bytes, StandardCharsets.ISO_8859_1).indexOf(s);
    }

    // BASE plus binary entries given as key, value, key, value...
    private static Dictionary blobs(Object... keyValues) {
        Dictionary.Builder b = Dictionary.of(BASE.getBytes(StandardCharsets.US_ASCII),
                Dictionary.NETWORK_CONFIG_CAPACITY).toBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            assertTrue(b.add((String) keyValues[i], (byte[]) keyValues[i + 1]));
        }
        return b.build();
    }

    private static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    // A syntactically valid tag (ZT1-05 §4.1) with a zero signature.
    static byte[] tag(long id, int value) {
        byte[] t = new byte[135];
        t[16] = (byte) (id >>> 24);
        t[17] = (byte) (id >>> 16);
        t[18] = (byte) (id >>> 8);
        t[19] = (byte) id;
        t[23] = (byte) value;
        t[34] = 1;
        t[36] = 96;
        return t;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
