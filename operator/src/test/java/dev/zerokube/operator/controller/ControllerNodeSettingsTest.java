package dev.zerokube.operator.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.NodeHome;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Goal: the controller node's settings come from the environment the chart sets, with defaults
 * that fit it, and bad values stop the operator with a message naming the variable. Method: parse
 * maps of variables, including planet files written here (a planet, a moon, garbage).
 */
class ControllerNodeSettingsTest {
    @Test
    void defaultsArePort9993OnEveryInterfaceUnderEarth() {
        ControllerNode.Settings s = ControllerNode.Settings.fromEnv(Map.of()).orElseThrow();
        assertEquals(9993, s.port());
        assertEquals("0.0.0.0", s.bindAddress().getHostAddress());
        assertEquals(NodeHome.earth(), s.planet());
        assertFalse(s.loopbackPaths());
    }

    @Test
    void offMeansNoNode() {
        assertTrue(ControllerNode.Settings.fromEnv(Map.of("ZEROKUBE_CONTROLLER_PORT", "off")).isEmpty());
    }

    @Test
    void portBindAndPlanetFromTheEnvironment(@TempDir Path dir) throws Exception {
        World planet = world(World.Type.PLANET);
        Path file = dir.resolve("planet");
        Files.write(file, bytes(planet));
        ControllerNode.Settings s = ControllerNode.Settings.fromEnv(Map.of("ZEROKUBE_CONTROLLER_PORT", "19993",
                "ZEROKUBE_CONTROLLER_BIND", "127.0.0.1", "ZEROKUBE_PLANET", file.toString())).orElseThrow();
        assertEquals(19993, s.port());
        assertEquals("127.0.0.1", s.bindAddress().getHostAddress());
        assertEquals(planet, s.planet());
    }

    @Test
    void badValuesNameTheVariable(@TempDir Path dir) throws Exception {
        Path moon = dir.resolve("moon");
        Files.write(moon, bytes(world(World.Type.MOON)));
        Path garbage = dir.resolve("garbage");
        Files.write(garbage, new byte[] {1, 2, 3});
        for (Map<String, String> env : List.of(
                Map.of("ZEROKUBE_CONTROLLER_PORT", "udp"),
                Map.of("ZEROKUBE_CONTROLLER_PORT", "70000"),
                Map.of("ZEROKUBE_CONTROLLER_BIND", "example.com"),
                Map.of("ZEROKUBE_PLANET", dir.resolve("missing").toString()),
                Map.of("ZEROKUBE_PLANET", moon.toString()),
                Map.of("ZEROKUBE_PLANET", garbage.toString()))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ControllerNode.Settings.fromEnv(env), env.toString());
            String variable = env.keySet().iterator().next();
            assertTrue(e.getMessage().contains(variable), e.getMessage());
        }
    }

    private static World world(World.Type type) {
        Identity root = Identity.generate(new SplittableRandom(31));
        return RootWorlds.first(type, 0x1234L, 1_000L,
                List.of(RootWorlds.root(root, List.of(InetEndpoint.parse("192.0.2.1/9993")))),
                C25519.generate(new SplittableRandom(32)));
    }

    private static byte[] bytes(World w) {
        ByteWriter out = new ByteWriter(World.SERIALIZED_LENGTH_MAX);
        w.encode(out);
        return out.toByteArray();
    }
}
