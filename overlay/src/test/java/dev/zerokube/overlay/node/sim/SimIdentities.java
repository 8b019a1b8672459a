package dev.zerokube.overlay.node.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.crypto.MemoryHardHash;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.node.IdentityValidator;
import dev.zerokube.overlay.testing.Vectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Identities for simulations. Generating one runs the memory-hard proof of work about fifteen
 * times, so the first ones are the secret identities that real 1.14.1 tools generated for the
 * vectors ({@code identities.jsonl} "valid_generated", then the capture's three nodes), then forty made
 * once with our idtool ({@code sim-identities.txt}); beyond those, identities are generated from
 * a fixed seed, once per JVM. Identity {@code i} is the same
 * in every run: what varies with a simulation's seed is the network, not who is on it.
 *
 * <p>{@link #VALIDATOR} runs the real identity check once per identity per JVM and remembers the
 * answer, so twenty nodes learning each other do not pay for twenty checks of each identity.
 */
public final class SimIdentities {
    private static final List<Identity> KNOWN = load();
    private static final Map<Integer, Identity> GENERATED = new HashMap<>();
    private static final Map<Identity, Boolean> CHECKED = new HashMap<>();
    private static MemoryHardHash scratch;

    /** The real check, memoized across every node of every simulation in this JVM. */
    public static final IdentityValidator VALIDATOR = SimIdentities::check;

    private SimIdentities() {}

    /** Identity number {@code index}, with its private key. */
    public static synchronized Identity get(int index) {
        if (index < KNOWN.size()) {
            return KNOWN.get(index);
        }
        return GENERATED.computeIfAbsent(index, i -> Identity.generate(new SplittableRandom(0x5EED_0000L + i), scratch()));
    }

    /** How many identities come free (without generation). */
    public static int preGenerated() {
        return KNOWN.size();
    }

    private static synchronized boolean check(Identity identity) {
        return CHECKED.computeIfAbsent(identity, id -> id.locallyValidate(scratch()));
    }

    private static MemoryHardHash scratch() {
        if (scratch == null) {
            scratch = new MemoryHardHash();
        }
        return scratch;
    }

    private static List<Identity> load() {
        List<Identity> out = new ArrayList<>();
        try {
            for (JsonNode line : Vectors.read("identities.jsonl")) {
                if ("valid_generated".equals(line.path("category").asText())) {
                    out.add(Identity.parse(line.get("identity").asText()));
                }
            }
            for (String node : List.of("node_a", "node_b", "node_c")) {
                out.add(Identity.parse(Files.readString(Vectors.file("capture/" + node + "/identity.secret")).trim()));
            }
            try (var in = SimIdentities.class.getResourceAsStream("/sim-identities.txt")) {
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        out.add(Identity.parse(line.strip()));
                    }
                }
            }
        } catch (InvalidIdentityException e) {
            throw new IllegalStateException("a vector identity does not parse", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.stream().anyMatch(id -> !id.hasPrivate())) {
            throw new IllegalStateException("a vector identity lacks its private key");
        }
        return List.copyOf(out);
    }
}
