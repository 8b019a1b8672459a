package dev.zerokube.overlay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Access to {@code ../shared/vectors/} (data produced by real ZeroTier One 1.14.1) for tests.
 *
 * <p>The folder is found from the system property {@code zerokube.root} (set by the build to the
 * repository root) or by walking up from the working directory; it must exist: a missing vector
 * folder fails the test rather than skipping it.
 *
 * <p>{@link #each} turns every line of a file into a dynamic test and adds one more test that
 * fails when a line was not run or a kind has no handler, so no vector can be skipped silently.
 */
public final class Vectors {
    // Integers stay exact: Jackson reads them as int/long/BigInteger, never through double.
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final HexFormat HEX = HexFormat.of();

    private Vectors() {}

    /** The vectors folder, {@code <repo>/../shared/vectors}. */
    public static Path dir() {
        String root = System.getProperty("zerokube.root");
        List<Path> starts = new ArrayList<>();
        if (root != null && !root.isBlank()) {
            starts.add(Path.of(root));
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
                Path candidate = p.resolve("../shared/vectors").normalize();
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
                Path sibling = p.resolve("shared/vectors");
                if (Files.isDirectory(sibling)) {
                    return sibling;
                }
            }
        }
        throw new IllegalStateException("../shared/vectors not found from " + starts
                + " (run the tests from the repository; TESTING.md)");
    }

    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("vector file missing: " + p);
        }
        return p;
    }

    /** Every line of a JSON Lines file, parsed; blank lines are an error (none are expected). */
    public static List<JsonNode> read(String relative) {
        try {
            List<JsonNode> out = new ArrayList<>();
            int lineNo = 0;
            for (String line : Files.readAllLines(file(relative))) {
                lineNo++;
                if (line.isBlank()) {
                    throw new IllegalStateException(relative + ":" + lineNo + " is blank");
                }
                out.add(JSON.readTree(line));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode readJson(String relative) {
        try {
            return JSON.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static byte[] hex(JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("expected a hex string, got " + node);
        }
        return HEX.parseHex(node.asText());
    }

    public static byte[] hex(JsonNode line, String field) {
        JsonNode n = line.get(field);
        if (n == null) {
            throw new IllegalArgumentException("line has no field '" + field + "': " + line);
        }
        return hex(n);
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** A 16-hex-digit field (network id, flags) as a long. */
    public static long hex64(JsonNode line, String field) {
        return Long.parseUnsignedLong(line.get(field).asText(), 16);
    }

    /** The line's name for test display: {@code name}, {@code label}, else its index. */
    public static String nameOf(JsonNode line, int index) {
        for (String f : new String[] {"name", "label"}) {
            if (line.hasNonNull(f)) {
                return line.get(f).asText();
            }
        }
        return "#" + index;
    }

    /**
     * One dynamic test per line of {@code relative}, dispatched on the value of {@code kindField}
     * ({@code null} when the file has a single case type: every line goes to the handler under
     * key {@code ""}). A final test asserts that all lines ran and, when {@code expectedCounts} is
     * not null, that the per-kind counts equal it (the table in the vectors' README).
     */
    public static Stream<DynamicTest> each(String relative, String kindField,
            Map<String, ThrowingConsumer<JsonNode>> handlers, Map<String, Integer> expectedCounts) {
        List<JsonNode> lines = read(relative);
        AtomicInteger ran = new AtomicInteger();
        Map<String, Integer> seen = new TreeMap<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            String kind = kindField == null ? "" : line.path(kindField).asText("<missing>");
            seen.merge(kind, 1, Integer::sum);
            ThrowingConsumer<JsonNode> handler = handlers.get(kind);
            String display = relative + ":" + (i + 1) + " " + kind + " " + nameOf(line, i);
            tests.add(DynamicTest.dynamicTest(display, () -> {
                if (handler == null) {
                    fail("no handler for kind '" + kind + "' in " + relative);
                }
                handler.accept(line);
                ran.incrementAndGet();
            }));
        }
        tests.add(DynamicTest.dynamicTest(relative + ": every line ran", () -> {
            assertEquals(lines.size(), ran.get(), "lines of " + relative + " that passed");
            if (expectedCounts != null) {
                assertEquals(new TreeMap<>(expectedCounts), seen, "kinds of " + relative);
            }
        }));
        return tests.stream();
    }

    /** Ordered map literal helper for handler tables. */
    @SafeVarargs
    public static <V> Map<String, V> table(Map.Entry<String, V>... entries) {
        Map<String, V> m = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : entries) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
