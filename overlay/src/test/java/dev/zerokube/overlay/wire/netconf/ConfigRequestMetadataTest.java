package dev.zerokube.overlay.wire.netconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zerokube.overlay.wire.Dictionary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the config-request metadata is encoded as a 1.14.1 node sends it and read as the 1.14.1
 * controller reads it. Method: the 263 bytes of ZT1-04 §2; defaults and token rules on hand-made
 * dictionaries; seeded random round trips; oversized and truncated input. (The requests recorded
 * in netconf.jsonl are checked in NetworkConfigTest's controller_config lines.)
 */
class ConfigRequestMetadataTest {
    private static final String ZT1_04_EXAMPLE = "v=0000000000000007\nvend=0000000000000001\npv=000000000000000c\n"
            + "majv=0000000000000001\nminv=000000000000000e\nrevv=0000000000000001\nmr=0000000000000400\n"
            + "mc=0000000000000080\nmcr=0000000000000040\nmt=0000000000000080\nf=0000000000000000\n"
            + "revr=0000000000000001\no=linux/x86_64";

    @Test
    void encodesWhatA1141NodeSends() {
        byte[] bytes = ConfigRequestMetadata.zeroTier1141("linux/x86_64").encode();
        assertEquals(263, bytes.length);
        assertEquals(ZT1_04_EXAMPLE, new String(bytes, StandardCharsets.US_ASCII));
        assertEquals(ConfigRequestMetadata.zeroTier1141("linux/x86_64"), ConfigRequestMetadata.decode(bytes));
    }

    @Test
    void readsLikeThe1141Controller() {
        ConfigRequestMetadata m = ConfigRequestMetadata.decode("pv=c\nrevr=\na=token:abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, m.configVersion(), "missing v");
        assertEquals(12, m.protocolVersion(), "short hex");
        assertEquals(0, m.rulesEngineRevision(), "empty revr");
        assertEquals("", m.osArch());
        assertEquals(Optional.of("token:abc"), m.auth());
        assertEquals(Optional.of("abc"), m.authToken());
        assertEquals(Optional.empty(), withAuth("token:").authToken(), "the token must not be empty");
        assertEquals(Optional.empty(), withAuth("tok:abc").authToken());
        assertEquals(Optional.of("x".repeat(505)), withAuth("token:" + "x".repeat(600)).authToken(),
                "read into 512 bytes");
    }

    private static ConfigRequestMetadata withAuth(String a) {
        return ConfigRequestMetadata.decode(("a=" + a).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void tokenIsWrittenLast() {
        String text = new String(ConfigRequestMetadata.zeroTier1141("linux/x86_64").withAuthToken("tok-0123").encode(),
                StandardCharsets.US_ASCII);
        assertEquals(ZT1_04_EXAMPLE + "\na=token:tok-0123", text);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomMetadataRoundTrips(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            long[] v = new long[12];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextLong();
            }
            ConfigRequestMetadata m = new ConfigRequestMetadata(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                    v[9], v[10], v[11], text(r, 100), r.nextBoolean() ? Optional.of(text(r, 200)) : Optional.empty());
            assertEquals(m, ConfigRequestMetadata.decode(m.encode()));
            assertEquals(m, ConfigRequestMetadata.from(m.toDictionary()));
        }
    }

    // UTF-8 text without NUL, with characters the dictionary escapes.
    private static String text(SplittableRandom r, int max) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(max);
        String special = "=\\\r\n\u00e9\u20ac";
        for (int i = 0; i < n; i++) {
            sb.append(r.nextInt(4) == 0 ? special.charAt(r.nextInt(special.length())) : (char) r.nextInt(0x20, 0x7f));
        }
        return sb.toString();
    }

    @Test
    void oversizedMetadataIsAProgrammingErrorAndReceivedBytesAreCut() {
        ConfigRequestMetadata big = ConfigRequestMetadata.zeroTier1141("x".repeat(800));
        assertThrows(IllegalStateException.class, big::encode);
        byte[] received = (ZT1_04_EXAMPLE.replace("o=linux/x86_64", "o=" + "y".repeat(2000)))
                .getBytes(StandardCharsets.US_ASCII);
        ConfigRequestMetadata m = ConfigRequestMetadata.decode(received);
        assertEquals(Dictionary.CONFIG_REQUEST_METADATA_CAPACITY - 1 - (263 - "linux/x86_64".length()),
                m.osArch().length(), "cut to the 1024-byte capacity");
        assertEquals(1, m.rulesEngineRevision());
        assertEquals(m, ConfigRequestMetadata.decode(Arrays.copyOf(received, 5000)));
    }
}
