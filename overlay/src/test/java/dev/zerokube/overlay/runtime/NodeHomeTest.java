package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: every node home directory of the live 1.14.1 capture loads (identity, planet, stored
 * network configs and local settings), and a broken home is refused with the file named. Method:
 * load {@code ../shared/vectors/capture/node_*} and compare with nodes.json and network_id; then
 * copy a home into a temp dir and break one file at a time.
 */
class NodeHomeTest {
    private static final List<String> NODES = List.of("a", "b", "c");

    @Test
    void everyCapturedHomeLoads() throws Exception {
        JsonNode nodes = Vectors.readJson("capture/nodes.json");
        NetworkId nwid = NetworkId.parse(Files.readString(Vectors.file("capture/network_id")).strip());
        int loaded = 0;
        for (String node : NODES) {
            NodeHome home = NodeHome.load(Vectors.dir().resolve("capture/node_" + node));
            assertEquals(Address.parse(nodes.get(node).asText()), home.identity().address(), node);
            assertTrue(home.identity().hasPrivate(), node);
            World planet = home.planet().orElseThrow();
            assertEquals(World.Type.PLANET, planet.type());
            assertEquals(0x7a6b636170L, planet.id(), "the capture's private planet");
            assertEquals(Address.parse(nodes.get("c").asText()), planet.roots().get(0).identity().address());
            assertTrue(planet.signatureVerifiesWith(planet.updatesMustBeSignedBy()), "planet signature");
            assertTrue(home.localConfJson().orElseThrow().contains("primaryPort"));
            if (node.equals("c")) {
                assertTrue(home.networkConfigs().isEmpty(), "the controller is not a member");
            } else {
                assertEquals(home.identity().address(), home.networkConfigs().get(nwid).issuedTo());
                assertEquals("1", home.networkLocalSettings().get(nwid).get("allowManaged"));
            }
            loaded++;
        }
        assertEquals(3, loaded);
    }

    @Test
    void brokenFilesAreRefusedNamingTheFile(@TempDir Path tmp) throws Exception {
        Path home = copyHome("a", tmp.resolve("a"));
        Files.writeString(home.resolve("planet"), "not a world");
        NodeHome.HomeException e = assertThrows(NodeHome.HomeException.class, () -> NodeHome.load(home));
        assertTrue(e.getMessage().contains("planet"), e.getMessage());

        Path other = copyHome("a", tmp.resolve("b"));
        Files.copy(Vectors.file("capture/node_b/identity.public"), other.resolve("identity.public"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        e = assertThrows(NodeHome.HomeException.class, () -> NodeHome.load(other));
        assertTrue(e.getMessage().contains("identity.public"), e.getMessage());

        Path badConf = copyHome("a", tmp.resolve("c"));
        try (var s = Files.list(badConf.resolve("networks.d"))) {
            Path conf = s.filter(p -> !p.toString().endsWith(".local.conf")).findFirst().orElseThrow();
            Files.writeString(conf, "v=5\n", StandardCharsets.US_ASCII);
        }
        e = assertThrows(NodeHome.HomeException.class, () -> NodeHome.load(badConf));
        assertTrue(e.getMessage().contains("networks.d"), e.getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        e = assertThrows(NodeHome.HomeException.class, () -> NodeHome.load(empty));
        assertTrue(e.getMessage().contains("neither identity.secret nor identity.public"), e.getMessage());
    }

    private static Path copyHome(String node, Path to) throws Exception {
        Path from = Vectors.dir().resolve("capture/node_" + node);
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                    target.toFile().setWritable(true);
                }
            }
        }
        return to;
    }
}
