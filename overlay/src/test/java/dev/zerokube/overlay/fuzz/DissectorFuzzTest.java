package dev.zerokube.overlay.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import dev.zerokube.overlay.wire.inspect.Dissector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the capture dissector (wire.inspect) is total on any sequence of datagrams: one record per
// datagram, in input order, a summary for each, never an exception.
// Method: the input is a sequence of datagrams (Framing) fed to a dissector that holds the three
// capture nodes' secrets, so real packets authenticate and mutations reach the payload decoders;
// the clock advances 1 s per datagram so reassembly timeouts fire. Seeds: runs of consecutive
// datagrams of the capture (HELLOs and WHOIS, compressed configs, a relayed multicast, fragmented
// frames, the short junk).
class DissectorFuzzTest {
    private static final int MAX_DATAGRAMS = 64;
    private static final long STEP_US = 1_000_000;
    private static final List<Identity> SECRETS = List.of(secret("node_a"), secret("node_b"), secret("node_c"));

    private static Identity secret(String node) {
        try {
            return Identity.parse(Files.readString(Vectors.file("capture/" + node + "/identity.secret"),
                    StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidIdentityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> seeds() {
        FuzzSeeds seeds = FuzzSeeds.builder();
        List<JsonNode> capture = Vectors.read("capture/capture.jsonl");
        int[][] runs = {{0, 7}, {15, 23}, {79, 86}, {129, 135}, {239, 244}, {258, 262}};
        for (int[] run : runs) {
            List<byte[]> datagrams = new ArrayList<>();
            for (int i = run[0]; i < run[1]; i++) {
                datagrams.add(Vectors.hex(capture.get(i), "hex"));
            }
            seeds.add("capture.jsonl:" + (run[0] + 1) + ".." + run[1], Framing.join(datagrams));
        }
        return seeds.build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void dissector(byte[] input) {
        Dissector dissector = new Dissector();
        SECRETS.forEach(dissector::addIdentity);
        List<byte[]> datagrams = Framing.split(input, MAX_DATAGRAMS);
        List<DatagramRecord> records = new ArrayList<>();
        for (int i = 0; i < datagrams.size(); i++) {
            records.addAll(dissector.onDatagram(i, i * STEP_US, "198.18.0.1/9993", "198.18.0.2/9993", datagrams.get(i)));
        }
        records.addAll(dissector.finish());
        assertEquals(datagrams.size(), records.size(), "one record per datagram");
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i, records.get(i).index(), "input order");
            assertFalse(records.get(i).summary().isBlank());
        }
    }
}
