package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Goal: a home directory is made on first start as zerotier-one makes it and reused afterwards:
 * identity files and authtoken.secret (0600, 24 chars of [a-z0-9], no newline), moons.d,
 * networks.d, the planet; a second start keeps identity and token; joins, settings and leaves
 * land in networks.d in 1.14.1's formats; the built-in planet is 1.14.1's Earth; local.conf's
 * common settings are read. Method: NodeHome.create on temp dirs, then read the files back.
 */
class NodeHomeCreateTest {
    @Test
    void firstStartCreatesTheFilesAndTheSecondReusesThem(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("home");
        World planet = LoopbackRig.planet(SimIdentities.get(0), 9993, 3);
        NodeHome first = NodeHome.create(dir, planet, new SecureRandom());
        assertTrue(first.identity().hasPrivate());
        assertEquals("rw-------", perms(dir.resolve("identity.secret")));
        assertEquals("rw-------", perms(dir.resolve(NodeHome.AUTHTOKEN_FILE)));
        assertEquals(first.identity().toString(false), Files.readString(dir.resolve("identity.public")));
        String token = Files.readString(dir.resolve(NodeHome.AUTHTOKEN_FILE), StandardCharsets.US_ASCII);
        assertTrue(token.matches("[a-z0-9]{24}"), "24 chars, no newline: '" + token + "'");
        assertEquals(token, first.authToken());
        assertTrue(Files.isDirectory(dir.resolve("moons.d")) && Files.isDirectory(dir.resolve("networks.d")));
        assertEquals(planet, first.planet().orElseThrow());

        Files.setPosixFilePermissions(dir.resolve(NodeHome.AUTHTOKEN_FILE), PosixFilePermissions.fromString("rw-r--r--"));
        NodeHome second = NodeHome.create(dir, NodeHome.earth(), new SecureRandom());
        assertEquals(first.identity(), second.identity(), "the identity is reused");
        assertEquals(token, second.authToken(), "the token is reused");
        assertEquals(planet, second.planet().orElseThrow(), "an existing planet is kept");
        assertEquals("rw-------", perms(dir.resolve(NodeHome.AUTHTOKEN_FILE)), "secrets get 0600 again");
    }

    @Test
    void anExistingIdentityIsUsedAndATokenWithANewlineIsTrimmed(@TempDir Path tmp) throws Exception {
        Identity id = SimIdentities.get(3);
        Files.writeString(tmp.resolve("identity.secret"), id.toString(true));
        Files.writeString(tmp.resolve(NodeHome.AUTHTOKEN_FILE), "sometoken\n");
        NodeHome home = NodeHome.create(tmp, null, new SecureRandom());
        assertEquals(id, home.identity());
        assertEquals("sometoken", home.authToken());
        assertTrue(home.planet().isEmpty(), "no planet given, none written");
        assertFalse(Files.exists(tmp.resolve("identity.public")), "an existing identity.secret is left alone");
    }

    @Test
    void joinsSettingsAndLeavesAreStoredAsZeroTierOneStoresThem(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("identity.secret"), SimIdentities.get(3).toString(true));
        NodeHome home = NodeHome.create(tmp, null, new SecureRandom());
        NetworkId nwid = NetworkId.parse("8056c2e21c000001");
        JoinedNetworks networks = new JoinedNetworks(home);
        assertTrue(networks.join(nwid));
        assertFalse(networks.join(nwid), "idempotent");
        Path conf = tmp.resolve("networks.d/8056c2e21c000001.conf");
        assertEquals("\n", Files.readString(conf), "the placeholder until a config arrives");
        networks.set(nwid, new JoinedNetworks.Settings(false, true, false, true));
        assertEquals("allowManaged=0\nallowGlobal=1\nallowDefault=0\nallowDNS=1\n",
                Files.readString(tmp.resolve("networks.d/8056c2e21c000001.local.conf")));

        NodeHome reloaded = NodeHome.load(tmp);
        assertEquals(List.of(nwid), reloaded.networks());
        assertTrue(reloaded.networkConfigs().isEmpty());
        assertEquals(new JoinedNetworks.Settings(false, true, false, true),
                new JoinedNetworks(reloaded).settings(nwid).orElseThrow());

        assertTrue(networks.leave(nwid));
        assertFalse(networks.leave(nwid));
        assertFalse(Files.exists(conf));
        assertFalse(Files.exists(tmp.resolve("networks.d/8056c2e21c000001.local.conf")));
        assertTrue(NodeHome.load(tmp).networks().isEmpty());
    }

    @Test
    void localSettingsAreReadLike1141() {
        assertEquals(JoinedNetworks.DEFAULTS, JoinedNetworks.settingsOf(Map.of()));
        assertEquals(new JoinedNetworks.Settings(true, true, true, true), JoinedNetworks.settingsOf(
                Map.of("allowManaged", "T", "allowGlobal", "true", "allowDefault", "1", "allowDNS", "t")));
        assertEquals(new JoinedNetworks.Settings(false, false, false, false), JoinedNetworks.settingsOf(
                Map.of("allowManaged", "0", "allowGlobal", "yes", "allowDefault", "", "allowDNS", "f")));
    }

    @Test
    void theBuiltInPlanetIsEarthAsIn1141() throws Exception {
        World earth = NodeHome.earth();
        assertEquals(World.ID_EARTH, earth.id());
        assertEquals(World.Type.PLANET, earth.type());
        String expected = Vectors.read("world.jsonl").stream().filter(l -> l.get("kind").asText().equals("planet"))
                .findFirst().orElseThrow().get("serialized").asText();
        assertEquals(expected, java.util.HexFormat.of().formatHex(earth.toBytes()));
    }

    @Test
    void localConfCommonSettings() {
        LocalConf c = LocalConf.parse("""
                {"physical": {"10.0.0.0/8": {"blacklist": true}},
                 "settings": {"primaryPort": 19993, "allowTcpFallbackRelay": true, "bind": ["127.0.0.1", 5],
                              "allowManagementFrom": ["10.1.0.0/16"], "portMappingEnabled": "yes"}}""");
        assertEquals(19993, c.primaryPort());
        assertEquals(List.of("127.0.0.1"), c.bind(), "non-strings skipped");
        assertEquals(List.of("10.1.0.0/16"), c.allowManagementFrom());
        assertTrue(c.allowTcpFallbackRelay(), "read (and reported), though no TCP relay is used");
        assertFalse(c.portMappingEnabled(), "a string is not a boolean");
        assertTrue(c.json().containsKey("physical"), "the whole object is kept for /status");
        assertEquals(LocalConf.DEFAULT_PORT, LocalConf.parse("{\"settings\":{\"primaryPort\":\"x\"}}").primaryPort());
        LocalConf twice = LocalConf.parse("{\"settings\":{\"primaryPort\":1,\"portMappingEnabled\":1,"
                + "\"allowTcpFallbackRelay\":\" true\",\"primaryPort\":2}}");
        assertEquals(2, twice.primaryPort(), "a repeated key: the last counts, as 1.14.1 reads it");
        assertTrue(twice.portMappingEnabled() && twice.allowTcpFallbackRelay(), "1 and \"true\" read as true");
        assertEquals(LocalConf.DEFAULT_PORT, LocalConf.defaults().primaryPort());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LocalConf.parse("[1]"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LocalConf.parse("{"));
    }

    private static String perms(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
