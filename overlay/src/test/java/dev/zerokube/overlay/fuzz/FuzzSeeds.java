package dev.zerokube.overlay.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.testing.Vectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Seed inputs for the fuzz targets, taken from the vectors real ZeroTier One 1.14.1 produced
 * ({@code ../shared/vectors/}) at run time rather than copied into the repository.
 *
 * <p>Each fuzz target names a static method returning {@code build()} of this builder in its
 * {@code @MethodSource}. Jazzer runs such seeds as regression cases in the default build and adds
 * them to the corpus when fuzzing (jazzer-junit records arguments of other sources as seeds).
 * Inputs are de-duplicated by content and named after the vector line they came from.
 *
 * <p>A field or file that yields nothing fails {@link #build()}: a renamed vector field must not
 * silently leave a target without seeds.
 */
final class FuzzSeeds {
    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, Named<byte[]>> seeds = new LinkedHashMap<>();
    private int matched;

    static FuzzSeeds builder() {
        return new FuzzSeeds();
    }

    /**
     * Every hex string found under one of {@code fields} anywhere in the lines of {@code file}
     * (nested objects and arrays included) that {@code lines} accepts. Non-hex values under the
     * same field name (e.g. JSON records that reuse the name) are ignored.
     */
    FuzzSeeds hex(String file, Predicate<JsonNode> lines, String... fields) {
        int before = matched;
        List<JsonNode> all = Vectors.read(file);
        for (int i = 0; i < all.size(); i++) {
            JsonNode line = all.get(i);
            if (!lines.test(line)) {
                continue;
            }
            String where = file + ":" + (i + 1) + " " + Vectors.nameOf(line, i);
            for (String field : fields) {
                collect(line, field, where, null);
            }
        }
        requireMatched(before, file + " " + String.join(",", fields));
        return this;
    }

    FuzzSeeds hex(String file, String... fields) {
        return hex(file, line -> true, fields);
    }

    /** {@link #hex} for the lines whose {@code kind} is one of {@code kinds}. */
    FuzzSeeds hexOfKinds(String file, List<String> kinds, String... fields) {
        return hex(file, line -> kinds.contains(line.path("kind").asText()), fields);
    }

    /**
     * Hex strings under {@code fields}, transformed (e.g. cut to the part a decoder sees); a
     * transform returning null drops the value.
     */
    FuzzSeeds hexMapped(String file, Function<byte[], byte[]> transform, String... fields) {
        int before = matched;
        List<JsonNode> all = Vectors.read(file);
        for (int i = 0; i < all.size(); i++) {
            JsonNode line = all.get(i);
            String where = file + ":" + (i + 1) + " " + Vectors.nameOf(line, i);
            for (String field : fields) {
                collect(line, field, where, transform);
            }
        }
        requireMatched(before, file + " " + String.join(",", fields));
        return this;
    }

    /** The raw bytes of a vector file (e.g. {@code capture/node_a/planet}). */
    FuzzSeeds file(String relative) {
        try {
            add(relative, Files.readAllBytes(Vectors.file(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A text field's value as ISO-8859-1 bytes (identity strings, dictionary text). */
    FuzzSeeds text(String file, String field) {
        int before = matched;
        List<JsonNode> all = Vectors.read(file);
        for (int i = 0; i < all.size(); i++) {
            JsonNode v = all.get(i).get(field);
            if (v != null && v.isTextual()) {
                add(file + ":" + (i + 1) + " " + Vectors.nameOf(all.get(i), i) + " " + field,
                        v.asText().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        requireMatched(before, file + " " + field);
        return this;
    }

    /** A seed built by the target itself (e.g. several vector strings framed together). */
    FuzzSeeds add(String name, byte[] bytes) {
        matched++;
        seeds.putIfAbsent(HEX.formatHex(bytes), Named.of(name, bytes.clone()));
        return this;
    }

    /** The seeds as JUnit arguments, one {@code byte[]} each. */
    Stream<Arguments> build() {
        if (seeds.isEmpty()) {
            throw new IllegalStateException("no seeds");
        }
        List<Arguments> out = new ArrayList<>();
        for (Named<byte[]> seed : seeds.values()) {
            out.add(Arguments.of(seed));
        }
        return out.stream();
    }

    /** The seeds' bytes, for targets that frame several vector strings into one input. */
    List<byte[]> bytes() {
        List<byte[]> out = new ArrayList<>();
        for (Named<byte[]> seed : seeds.values()) {
            out.add(seed.getPayload().clone());
        }
        return out;
    }

    private void collect(JsonNode node, String field, String where, Function<byte[], byte[]> transform) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals(field)) {
                    addHexValues(e.getValue(), where + " " + field, transform);
                }
                collect(e.getValue(), field, where, transform);
            });
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                collect(element, field, where, transform);
            }
        }
    }

    private void addHexValues(JsonNode value, String name, Function<byte[], byte[]> transform) {
        if (value.isArray()) {
            int index = 0;
            for (JsonNode element : value) {
                addHexValues(element, name + "[" + index++ + "]", transform);
            }
            return;
        }
        if (!value.isTextual() || !isHex(value.asText())) {
            return;
        }
        byte[] bytes = HEX.parseHex(value.asText());
        if (transform != null) {
            bytes = transform.apply(bytes);
        }
        if (bytes != null) {
            add(name, bytes);
        }
    }

    private static boolean isHex(String s) {
        if (s.length() % 2 != 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fails when a source matched no value at all (the vector field was renamed or mistyped); a
     * source whose values all duplicate earlier seeds is fine.
     */
    private void requireMatched(int matchedBefore, String what) {
        if (matched == matchedBefore) {
            throw new IllegalStateException("no seed from " + what);
        }
    }
}
