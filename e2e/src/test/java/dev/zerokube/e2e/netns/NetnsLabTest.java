package dev.zerokube.e2e.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Goal: the namespace lab that every e2e test stands on really builds the topology it claims —
 * hosts on a WAN bridge, hosts behind MASQUERADE routers, random loss — stays sealed (no default
 * route), and leaves nothing behind. Method: build small labs as root and probe them with ping,
 * iptables counters and `ip netns list`; skipped with the reason where namespaces are unavailable.
 */
class NetnsLabTest {

    @BeforeAll
    static void needsNamespaces() {
        NetnsSupport.assumeAvailable();
    }

    @Test
    void wanHostsReachEachOtherAndNothingElse() {
        try (NetnsLab lab = NetnsLab.create()) {
            Namespace a = lab.wanHost("a", 31);
            Namespace b = lab.wanHost("b", 32);
            assertEquals(3, a.pingReplies(b.underlayAddress(), 3, 0.05));
            assertFalse(a.exec("ip", "route").contains("default"), "a lab host must have no default route");
            Command.Result out = a.attempt(5_000, "ping", "-n", "-c", "1", "-W", "1", "192.0.2.1");
            assertFalse(out.ok(), "a lab host must not reach addresses outside the lab");
        }
    }

    @Test
    void hostBehindNatReachesTheWanThroughMasquerade() {
        try (NetnsLab lab = NetnsLab.create()) {
            Namespace server = lab.wanHost("srv", 21);
            Namespace nat = lab.natRouter("nat-a", 101, 1, NetnsLab.NatKind.PORT_PRESERVING);
            Namespace inside = lab.lanHost(nat, 1, "k3", 12);
            assertEquals("198.19.1.12", inside.underlayAddress());
            long before = lab.masqueradedPackets(nat);
            assertEquals(2, inside.pingReplies(server.underlayAddress(), 2, 0.05));
            assertTrue(lab.masqueradedPackets(nat) > before, "the ping must have been translated by the NAT");
            // The WAN side cannot open a connection inward: the LAN is not routed from outside.
            assertEquals(0, server.pingReplies(inside.underlayAddress(), 1, 0.2));
        }
    }

    @Test
    void randomDropLosesSomeButNotAllPackets() {
        try (NetnsLab lab = NetnsLab.create()) {
            Namespace server = lab.wanHost("srv", 21);
            Namespace nat = lab.natRouter("nat-b", 102, 2, NetnsLab.NatKind.SYMMETRIC);
            Namespace inside = lab.lanHost(nat, 2, "k2", 10);
            lab.dropRandomly(nat, "FORWARD", 0.5);
            // Each echo crosses FORWARD twice: ~25% come back. P(0 of 60) and P(60 of 60) are
            // both below 1e-7, so this fails only when the drop rule does nothing or everything.
            int replies = inside.pingReplies(server.underlayAddress(), 60, 0.01);
            assertTrue(replies > 0 && replies < 60, "replies with 50% drop each way: " + replies);
        }
    }

    @Test
    void closeRemovesEveryNamespaceAndStopsProcesses() throws Exception {
        List<String> names;
        Process sleeper;
        try (NetnsLab lab = NetnsLab.create()) {
            lab.wanHost("a", 31);
            sleeper = lab.wan().start(java.nio.file.Files.createTempFile("netns-lab", ".log"), "sleep", "600");
            names = lab.namespaces().stream().map(Namespace::name).toList();
            assertTrue(Command.run("ip", "netns", "list").contains(names.getFirst()));
        }
        String after = Command.run("ip", "netns", "list");
        for (String name : names) {
            assertFalse(after.contains(name), name + " must be gone after close");
        }
        assertTrue(sleeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "processes in the lab must be stopped");
    }

    @Test
    void badArgumentsAreRefusedBeforeTouchingTheKernel() {
        try (NetnsLab lab = NetnsLab.create()) {
            assertThrows(IllegalArgumentException.class, () -> lab.wanHost("Bad_Role", 40));
            assertThrows(IllegalArgumentException.class, () -> lab.wanHost("much-too-long-role", 40));
            Namespace nat = lab.natRouter("nat", 101, 1, NetnsLab.NatKind.PORT_PRESERVING);
            assertThrows(IllegalArgumentException.class, () -> lab.dropRandomly(nat, "FORWARD", 1.5));
            assertThrows(IllegalArgumentException.class, () -> lab.lanHost(nat, 0, "x", 2));
        }
    }
}
