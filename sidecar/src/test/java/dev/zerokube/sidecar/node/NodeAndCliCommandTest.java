package dev.zerokube.sidecar.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.sidecar.Main;
import dev.zerokube.sidecar.cli.CliCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Goal: `zerokube root` and `zerokube node` run from home directories until stopped, and
 * `zerokube cli` talks to the node's local API with zerotier-cli's output lines and exit codes.
 * Method: both commands in-process on 127.0.0.1 (--loopback-paths), a test planet listing the
 * root; the CLI run as a user would, with -D pointing at the leaf's home; then stop, as SIGTERM does.
 */
class NodeAndCliCommandTest {
    record Run(int code, String out, String err) {}

    @Test
    void rootNodeAndCli(@TempDir Path tmp) throws Exception {
        Identity rootId = SimIdentities.get(0);
        Identity leafId = SimIdentities.get(5);
        int rootPort;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            rootPort = s.getLocalPort();
        }
        World planet = RootWorlds.first(World.Type.PLANET, 0x7e57_0002L, 1_000L, List.of(RootWorlds.root(rootId,
                List.of(InetEndpoint.of(InetAddress.getLoopbackAddress(), rootPort)))), C25519.generate(new SplittableRandom(9)));
        Path planetFile = tmp.resolve("planet.bin");
        Files.write(planetFile, planet.toBytes());
        Path rootHome = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(rootHome.resolve("identity.secret"), rootId.toString(true));
        Path leafHome = Files.createDirectories(tmp.resolve("leaf"));
        Files.writeString(leafHome.resolve("identity.secret"), leafId.toString(true));

        Run badFd = main("node", "--home", tmp.toString(), "--tap-fd", "8056c2e21c000001");
        assertEquals(1, badFd.code());
        assertTrue(badFd.err().contains("--tap-fd needs NWID=FD"), badFd.err());
        Run rootPorts = main("root", "--home", tmp.toString(), "--userspace");
        assertEquals(1, rootPorts.code());
        assertTrue(rootPorts.err().contains("for zerokube node only"), rootPorts.err());
        Run bad = main("node", "--port", "x");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--port must be a port"), bad.err());
        Path notRoot = Files.createDirectories(tmp.resolve("notroot"));
        Files.writeString(notRoot.resolve("identity.secret"), leafId.toString(true));
        Run refused = main("root", "--home", notRoot.toString(), "--port", "0", "--planet", planetFile.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("is not a root"), refused.err());

        NodeCommand root = new NodeCommand(true);
        NodeCommand leaf = new NodeCommand(false);
        List<Thread> threads = new ArrayList<>();
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logs, true, StandardCharsets.UTF_8);
        threads.add(Thread.ofVirtual().start(() -> root.run(List.of("--home", rootHome.toString(), "--port",
                Integer.toString(rootPort), "--planet", planetFile.toString(), "--loopback-paths"), log, log)));
        try {
            await(() -> root.running() != null);
            threads.add(Thread.ofVirtual().start(() -> leaf.run(List.of("--home", leafHome.toString(), "--port", "0",
                    "--planet", planetFile.toString(), "--loopback-paths", "--userspace", "--join", "8056c2e21c000001"), log, log)));
            await(() -> leaf.running() != null && leaf.running().service().call(n -> n.isOnline()).join());
            String d = "-D" + leafHome;
            dev.zerokube.overlay.wire.NetworkId joined = dev.zerokube.overlay.wire.NetworkId.parse("8056c2e21c000001");
            await(() -> leaf.ports().port(joined).isPresent());
            assertTrue(leaf.ports().port(joined).orElseThrow() instanceof dev.zerokube.overlay.runtime.port.UserspacePort,
                    "--userspace: the joined network got an in-memory port");
            assertEquals("ztmjfmfyq5", leaf.ports().port(joined).orElseThrow().name(), "named as zerotier-one names its TAP");

            Run info = cli(d, "info");
            assertEquals(0, info.code());
            assertEquals("200 info " + leafId.address() + " 1.14.1 ONLINE\n", info.out());

            Run listpeers = cli(d, "listpeers");
            String[] lines = listpeers.out().split("\n");
            assertEquals("200 listpeers <ztaddr> <path> <latency> <version> <role>", lines[0]);
            assertTrue(listpeers.out().matches("(?s).*\n200 listpeers " + rootId.address() + " 127\\.0\\.0\\.1/" + rootPort
                    + ";-?\\d+;\\d+ \\d+ 1\\.14\\.1 PLANET\n.*"), listpeers.out());
            Run peers = cli(d, "peers");
            assertTrue(peers.out().startsWith("200 peers\n<ztaddr>   <ver>  <role> <lat> <link>   <lastTX> <lastRX> <path>\n"));
            assertTrue(peers.out().contains(rootId.address() + " 1.14.1 PLANET "), peers.out());
            assertTrue(peers.out().contains(" DIRECT   "), peers.out());

            Run networks = cli(d, "listnetworks");
            assertEquals("200 listnetworks <nwid> <name> <mac> <status> <type> <dev> <ZT assigned ips>\n"
                    + "200 listnetworks 8056c2e21c000001  " + macOn(leafId, "8056c2e21c000001")
                    + " REQUESTING_CONFIGURATION PRIVATE ztmjfmfyq5 -\n", networks.out(), "--join was remembered and joined");
            assertEquals(new Run(0, "200 join OK\n", ""), cli(d, "join", "1d71939404000001"));
            assertEquals(new Run(2, "invalid network id\n", ""), cli(d, "join", "1234"));
            Run j = cli(d, "-j", "listnetworks");
            assertTrue(j.out().startsWith("[\n {\n  \"allowDNS\": false,\n"), j.out());
            assertTrue(j.out().contains("  \"assignedAddresses\": [],\n"), j.out());
            assertEquals(new Run(0, "1\n", ""), cli(d, "get", "1d71939404000001", "allowManaged"));
            assertTrue(cli(d, "set", "1d71939404000001", "allowDNS=1").out().contains("\"allowDNS\":true"));
            assertEquals(new Run(0, "", ""), cli(d, "set", "1d71939404000001", "bogus=1"), "Q12");
            assertEquals(new Run(0, "200 leave OK\n", ""), cli(d, "leave", "1d71939404000001"));
            assertEquals(new Run(0, "200 leave OK\n", ""), cli(d, "leave", "1d71939404000001"), "not joined: still OK");

            // orbit/deorbit of a moon nobody serves: accepted and waiting, then dropped (LocalApiTest
            // follows a moon all the way from its seed)
            assertEquals(new Run(0, "200 orbit OK\n", ""), cli(d, "orbit", "c0ead0dee8", "c0ead0dee8"));
            assertEquals(new Run(0, "200 orbit OK\n", ""), cli(d, "-j", "orbit", "c0ead0dee8", "c0ead0dee8"));
            assertEquals(new Run(0, "200 deorbit OK\n", ""), cli(d, "deorbit", "c0ead0dee8"));
            assertEquals(new Run(0, "{\"result\":true}", ""), cli(d, "-j", "deorbit", "c0ead0dee8"));
            assertEquals(1, cli(d, "orbit", "c0ead0dee8").code(), "orbit needs a seed");
            assertEquals(1, cli(d, "orbit", "c0ead0dee8", "not-hex").code(), "a bad seed is refused");
            assertEquals(new Run(1, "404 deorbit \n", ""), cli(d, "deorbit", "000000c0ead0dee8"), "16 digits: no route (Q8)");

            // zerokube's own echo: the root sends the payload back over the direct path
            Run echo = cli(d, "echo", rootId.address().toString(), "c0ffee", "2", "200");
            assertEquals(0, echo.code(), echo.toString());
            assertTrue(echo.out().startsWith("200 echo " + rootId.address() + " 3-byte payload: 2 sent, "), echo.out());
            assertTrue(echo.out().matches("(?s).*\nanswer after \\d+\\.?\\d* ms, direct\n.*"), echo.out());
            assertTrue(cli(d, "-j", "echo", rootId.address().toString()).out().contains("\"sent\": 1"));
            Run usage = cli(d, "echo", "12345");
            assertEquals(1, usage.code());
            assertTrue(usage.err().contains("usage: zerokube cli echo"), usage.err());
            Run badPayload = cli(d, "echo", rootId.address().toString(), "xyz");
            assertEquals(1, badPayload.code());
            assertTrue(badPayload.out().startsWith("400 echo "), badPayload.out());
            assertEquals(1, cli(d, "echo", rootId.address().toString(), "-", "two").code());

            assertEquals(new Run(1, "401 info {}\n", ""), cli(d, "-Twrong", "info"));
            Run down = cli("-p1", "-Tx", "info");
            assertEquals(1, down.code());
            assertTrue(down.out().startsWith("Error connecting to the ZeroTier service: "), down.out());
            Run noPort = cli("-D" + tmp.resolve("nowhere"), "info");
            assertEquals(2, noPort.code());
            assertTrue(noPort.err().contains("zerotier-one.port not found"), noPort.err());
        } finally {
            leaf.stop();
            root.stop();
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
        String all = logs.toString(StandardCharsets.UTF_8);
        assertTrue(all.contains("event=started") && all.contains("event=stopped") && all.contains("event=online"), all);
        assertTrue(all.lines().allMatch(l -> l.startsWith("ts=")), "one structured line per event:\n" + all);
    }

    private static String macOn(Identity id, String nwid) {
        return dev.zerokube.overlay.wire.Mac.fromAddress(id.address(), dev.zerokube.overlay.wire.NetworkId.parse(nwid))
                .toString();
    }

    private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new CliCommand(Map.of()).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
