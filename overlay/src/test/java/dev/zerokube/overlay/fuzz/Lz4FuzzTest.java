package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Lz4;
import dev.zerokube.overlay.wire.PacketHeader;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: LZ4 block decompression of compressed packet payloads is total and bounded.
// Method: decompress any bytes into a packet-sized buffer (the receiver's bound) and into a
// small one; the result is at most the bound, the decoder writes nothing outside its window, and
// our compressor's block of the output decompresses back to it.
class Lz4FuzzTest {
    private static final int GUARD = 16;

    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hex("wire-misc.jsonl", "block")
                .hex("packets.jsonl", "compressed_payload")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void lz4(byte[] input) {
        decompressChecked(input, PacketHeader.MAX_PAYLOAD_LENGTH);
        decompressChecked(input, 1 + (input.length > 0 ? input[0] & 0x7f : 0));
    }

    private static void decompressChecked(byte[] input, int bound) {
        byte[] out = new byte[GUARD + bound + GUARD];
        int n;
        try {
            n = Lz4.decompress(input, 0, input.length, out, GUARD, bound);
        } catch (WireFormatException e) {
            assertGuardsUntouched(out, bound);
            return;
        }
        assertTrue(n >= 0 && n <= bound, "decompressed length " + n + " outside 0.." + bound);
        assertGuardsUntouched(out, bound);
        byte[] plain = Arrays.copyOfRange(out, GUARD, GUARD + n);
        byte[] block = new byte[Lz4.maxCompressedLength(n)];
        int blockLength = new Lz4().compress(plain, 0, n, block, 0, block.length);
        assertTrue(blockLength >= 0, "compress into maxCompressedLength failed");
        byte[] back = new byte[Math.max(n, 1)];
        int m = mustDecode("LZ4", () -> Lz4.decompress(block, 0, blockLength, back, 0, n));
        assertArrayEquals(plain, Arrays.copyOf(back, m), "decompress(compress(x)) == x");
    }

    private static void assertGuardsUntouched(byte[] out, int bound) {
        for (int i = 0; i < GUARD; i++) {
            assertTrue(out[i] == 0 && out[GUARD + bound + i] == 0, "wrote outside its output window");
        }
    }
}
