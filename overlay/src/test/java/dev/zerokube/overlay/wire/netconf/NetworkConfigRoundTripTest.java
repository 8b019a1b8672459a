package dev.zerokube.overlay.wire.netconf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Dictionary;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: NetworkConfig round-trips every value it can encode faithfully, and decoding is total.
 * Method: seeded random configs (every field, text with every escaped byte, credentials and rule
 * tables of valid shape, both SSO versions) must satisfy decode(encode(x)) == x and
 * encode(decode(b)) == b; every prefix and thousands of random mutations of the 1.14.1 configs in
 * the vectors, and random bytes under each binary key, must decode or give a WireFormatException,
 * never another exception.
 */
class NetworkConfigRoundTripTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 0x5eed, 0xc0ffee})
    void randomConfigsRoundTrip(long seed) throws WireFormatException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 40; i++) {
            NetworkConfig c = randomConfig(random);
            byte[] encoded = c.encode();
            NetworkConfig decoded = NetworkConfig.decode(encoded);
            assertEquals(List.of(), decoded.differences(c), "seed " + seed + " #" + i);
            assertArrayEquals(encoded, decoded.encode(), "seed " + seed + " #" + i);
        }
    }

    static NetworkConfig randomConfig(SplittableRandom r) {
        NetworkConfig.Builder b = NetworkConfig.builder()
                .networkId(new NetworkId(nonZero(r)))
                .timestampMs(r.nextLong(Long.MAX_VALUE))
                .credentialTimeMaxDeltaMs(r.nextLong(Long.MAX_VALUE))
                .revision(r.nextLong())
                .issuedTo(new Address(r.nextLong(1, Address.MASK + 1)))
                .remoteTraceTarget(r.nextBoolean() ? Address.NONE : new Address(r.nextLong(Address.MASK + 1)))
                .remoteTraceLevel(r.nextLong(1L << 32))
                .flags(r.nextLong())
                .multicastLimit(r.nextLong(1L << 32))
                .type(r.nextInt(4) == 0 ? r.nextLong(1L << 32) : r.nextInt(2))
                .nameBytes(text(r, NetworkConfig.NAME_BUFFER - 1))
                .mtu(r.nextInt(NetworkConfig.MTU_MIN, NetworkConfig.MTU_MAX + 1))
                .specialists(list(r, 6, () -> new Specialist(r.nextLong())))
                .routes(list(r, 6, () -> new Route(endpoint(r), r.nextBoolean() ? InetEndpoint.NIL : endpoint(r),
                        r.nextInt(0x10000), r.nextInt(0x10000))))
                .staticIps(list(r, 6, () -> r.nextInt(8) == 0 ? InetEndpoint.NIL : endpoint(r)))
                .certificateOfMembership(r.nextBoolean()
                        ? NetconfVectorFields.credential(com(r), CertificateOfMembership::decode) : null)
                .capabilities(list(r, 4, () -> NetconfVectorFields.credential(capability(r), Capability::decode))
                        .stream().sorted(Comparator.comparingLong(Capability::id)).toList())
                .tags(list(r, 4, () -> NetconfVectorFields.credential(tag(r), Tag::decode))
                        .stream().sorted(Comparator.comparingLong(Tag::id)).toList())
                .certificatesOfOwnership(list(r, 4, () -> NetconfVectorFields.credential(certificateOfOwnership(r),
                        CertificateOfOwnership::decode)))
                .dns(r.nextBoolean() ? Dns.NONE
                        : Dns.ofBytes(text(r, Dns.DOMAIN_BYTES_MAX), list(r, 4, () -> endpoint(r))));
        b.rules(list(r, 12, () -> ruleEntry(r)));
        boolean enabled = r.nextBoolean();
        b.ssoEnabled(enabled);
        if (r.nextBoolean()) {
            b.ssoVersion(NetworkConfig.SSO_VERSION_IMPLICIT);
            if (enabled) {
                b.authenticationUrlBytes(text(r, 2047)).authenticationExpiryTimeMs(r.nextLong(Long.MAX_VALUE));
            }
        } else {
            b.ssoVersion(NetworkConfig.SSO_VERSION_OIDC).ssoProviderBytes(new byte[0]);
            if (enabled) {
                b.issuerUrlBytes(text(r, 2047)).centralAuthUrlBytes(text(r, 2047)).ssoNonceBytes(text(r, 127))
                        .ssoStateBytes(text(r, 255)).ssoClientIdBytes(text(r, 255))
                        .ssoProviderBytes(nonEmpty(r, 63));
            }
        }
        return b.build();
    }

    private static long nonZero(SplittableRandom r) {
        long v;
        do {
            v = r.nextLong();
        } while (v == 0);
        return v;
    }

    // Any bytes but NUL, biased towards the five that the dictionary escapes.
    private static byte[] text(SplittableRandom r, int max) {
        byte[] special = {0x0d, 0x0a, '\\', '=', (byte) 0xff};
        byte[] t = new byte[r.nextInt(0, Math.min(max, 60) + 1)];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : (byte) r.nextInt(1, 256);
        }
        return t;
    }

    private static byte[] nonEmpty(SplittableRandom r, int max) {
        byte[] t;
        do {
            t = text(r, max);
        } while (t.length == 0);
        return t;
    }

    private interface Gen<T> {
        T next();
    }

    private static <T> List<T> list(SplittableRandom r, int max, Gen<T> gen) {
        List<T> out = new ArrayList<>();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            out.add(gen.next());
        }
        return out;
    }

    static InetEndpoint endpoint(SplittableRandom r) {
        byte[] ip = new byte[r.nextBoolean() ? 4 : 16];
        for (int i = 0; i < ip.length; i++) {
            ip[i] = (byte) r.nextInt(256);
        }
        return InetEndpoint.of(ip, r.nextInt(0x10000));
    }

    private static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static byte[] be(long v, int n) {
        byte[] b = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    private static byte[] signature(SplittableRandom r) {
        return NetworkConfigTest.concat(new byte[] {1, 0, 96}, random(r, 96));
    }

    private static byte[] address(SplittableRandom r) {
        return be(r.nextLong(1, Address.MASK + 1), 5);
    }

    // ZT1-05 §2.1, signed, qualifier ids in order.
    static byte[] com(SplittableRandom r) {
        int n = r.nextInt(0, 9);
        List<byte[]> parts = new ArrayList<>(List.of(new byte[] {1}, be(n, 2)));
        long id = 0;
        for (int i = 0; i < n; i++) {
            id += r.nextInt(3);
            parts.add(be(id, 8));
            parts.add(random(r, 16));
        }
        parts.add(address(r));
        parts.add(random(r, 96));
        return NetworkConfigTest.concat(parts.toArray(byte[][]::new));
    }

    // ZT1-05 §3.1 with one custody entry.
    static byte[] capability(SplittableRandom r) {
        List<byte[]> rules = list(r, 5, () -> rule(r));
        return NetworkConfigTest.concat(random(r, 16), be(r.nextLong(1L << 32), 4), be(rules.size(), 2),
                NetworkConfigTest.concat(rules.toArray(byte[][]::new)), new byte[] {1}, address(r), address(r),
                signature(r), new byte[5], new byte[2]);
    }

    // ZT1-05 §4.1.
    static byte[] tag(SplittableRandom r) {
        return NetworkConfigTest.concat(random(r, 24), address(r), address(r), signature(r), new byte[2]);
    }

    // ZT1-05 §5.1.
    static byte[] certificateOfOwnership(SplittableRandom r) {
        int k = r.nextInt(0, 17);
        return NetworkConfigTest.concat(random(r, 24), be(1, 4), be(k, 2), random(r, 17 * k), address(r),
                address(r), signature(r), new byte[2]);
    }

    // A rule entry of a type 1.14.1 knows, with the length it reads (ZT1-06 §4.1).
    static byte[] rule(SplittableRandom r) {
        int[] codes = {0, 1, 2, 3, 4, 5, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
            43, 44, 45, 46, 47, 48, 49, 50, 51};
        int code = codes[r.nextInt(codes.length)];
        int len = switch (code) {
            case 2, 3, 4 -> 14;
            case 24, 25, 31, 32 -> 5;
            case 26, 37 -> 2;
            case 27, 28, 36 -> 1;
            case 29, 30 -> 6;
            case 33, 34 -> 17;
            case 35, 38 -> 3;
            case 39, 40, 42, 43 -> 4;
            case 41, 44, 45, 46, 47, 48, 49, 50 -> 8;
            case 51 -> 19;
            default -> 0;
        };
        int flags = r.nextInt(4) << 6;
        return NetworkConfigTest.concat(new byte[] {(byte) (code | flags), (byte) len}, random(r, len));
    }

    // A random entry in the typed form (decoded from a random valid encoding).
    static RuleEntry ruleEntry(SplittableRandom r) {
        try {
            return RuleCodec.decodeEntry(new ByteReader(rule(r), "rule"));
        } catch (WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ malformed input

    private static List<byte[]> vectorConfigs() {
        List<byte[]> out = new ArrayList<>();
        for (JsonNode line : Vectors.read("netconf.jsonl")) {
            if (line.has("dictionary")) {
                out.add(Vectors.hex(line, "dictionary"));
            }
        }
        return out;
    }

    private static void decodesOrRefuses(byte[] bytes, String what) {
        try {
            NetworkConfig c = NetworkConfig.decode(bytes);
            // What decodes is a valid value: it encodes (or is honestly too large) and reads back.
            c.toDictionary().ifPresent(d -> {
                try {
                    NetworkConfig.from(d);
                } catch (WireFormatException e) {
                    fail(what + ": re-encoded config refused: " + e.what());
                }
            });
        } catch (WireFormatException e) {
            assertTrue(e.what().startsWith("NetworkConfig: ") || e.what().startsWith("Dictionary: "), e.what());
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    @Test
    void everyPrefixDecodesOrIsRefused() {
        List<byte[]> configs = vectorConfigs();
        assertEquals(19, configs.size(), "configs in netconf.jsonl");
        for (byte[] config : configs) {
            for (int n = 0; n <= config.length; n++) {
                decodesOrRefuses(Arrays.copyOf(config, n), "prefix " + n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34})
    void mutatedConfigsDecodeOrAreRefused(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> configs = vectorConfigs();
        byte[] interesting = {0, 0x0a, 0x0d, '\\', '=', '0', 'n', (byte) 0xff, 0x01, 0x03, 0x04, 0x06};
        for (int i = 0; i < 1500; i++) {
            byte[] m = configs.get(r.nextInt(configs.size())).clone();
            int edits = r.nextInt(1, 5);
            for (int e = 0; e < edits; e++) {
                m[r.nextInt(m.length)] = r.nextBoolean() ? interesting[r.nextInt(interesting.length)]
                        : (byte) r.nextInt(256);
            }
            decodesOrRefuses(m, "seed " + seed + " mutation " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {41, 42})
    void randomBinaryValuesDecodeOrAreRefused(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] keys = {"C", "CAP", "TAG", "COO", "S", "RT", "I", "R", "DNS"};
        for (int i = 0; i < 2000; i++) {
            String key = keys[r.nextInt(keys.length)];
            byte[] value = random(r, r.nextInt(0, 200));
            if (r.nextBoolean() && value.length > 0) {
                value[0] = (byte) new int[] {0, 1, 2, 3, 4, 6}[r.nextInt(6)];
            }
            withValue(key, value);
        }
    }

    /** Valid credentials, rule tables and DNS blocks with a few bytes changed, under their keys. */
    @ParameterizedTest
    @ValueSource(longs = {51, 52})
    void mutatedBinaryValuesDecodeOrAreRefused(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            NetworkConfig c = randomConfig(r);
            Dictionary d = c.toDictionary().orElseThrow();
            List<String> keys = d.keys().stream().filter(k -> k.equals(k.toUpperCase())).toList();
            String key = keys.get(r.nextInt(keys.size()));
            byte[] value = d.get(key).orElseThrow();
            if (value.length == 0) {
                continue;
            }
            int edits = r.nextInt(1, 4);
            for (int e = 0; e < edits; e++) {
                value[r.nextInt(value.length)] = (byte) r.nextInt(256);
            }
            if (r.nextInt(4) == 0) {
                value = Arrays.copyOf(value, r.nextInt(value.length));
            }
            withValue(key, value);
        }
    }

    private static void withValue(String key, byte[] value) {
        Dictionary.Builder b = Dictionary.of("v=7\nnwid=1\nid=1".getBytes(), Dictionary.NETWORK_CONFIG_CAPACITY)
                .toBuilder();
        assertTrue(b.add(key, value));
        decodesOrRefuses(b.build().encode(), key + "=" + Vectors.hex(value));
    }
}
