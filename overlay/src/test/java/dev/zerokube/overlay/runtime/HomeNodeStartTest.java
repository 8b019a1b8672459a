package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.NetworkId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Goal: what must see a node's networks from their first event (the ports that open each
 * network's TAP) is attached before the home's networks are joined, and the joins do not wait
 * for the local API: the hook of HomeNode.start runs on a started service that has joined
 * nothing yet, and sees the REQUESTING_CONFIGURATION event of every network the home remembers.
 * Method: a leaf started from a home with two networks.d entries on a loopback planet whose
 * root is not running (nothing needs to answer); the hook records what it saw.
 */
class HomeNodeStartTest {
    @TempDir
    Path tmp;

    @Test
    void theHookRunsBeforeTheJoinsAndSeesEachRememberedNetworkFromItsFirstEvent() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("leaf"));
        Files.writeString(home.resolve("identity.secret"), SimIdentities.get(5).toString(true));
        List<NetworkId> remembered = List.of(NetworkId.parse("8056c2e21c000001"), NetworkId.parse("8056c2e21c000002"));
        Files.createDirectories(home.resolve("networks.d"));
        for (NetworkId id : remembered) {
            Files.writeString(home.resolve("networks.d").resolve(id + ".conf"), "\n");
        }
        HomeNode.Settings s = HomeNode.Settings.defaults(line -> { })
                .withPlanet(LoopbackRig.planet(SimIdentities.get(0), LoopbackRig.freeUdpPort(), 5))
                .withLoopbackPaths(true).withPort(0);
        List<NetworkId> joinedAtHook = new ArrayList<>();
        List<NodeEvent.NetworkUpdated> seen = new CopyOnWriteArrayList<>();
        try (HomeNode node = HomeNode.start(home, s, service -> {
            service.call(n -> n.networks()).join().forEach(st -> joinedAtHook.add(st.id()));
            service.addListener(e -> {
                if (e instanceof NodeEvent.NetworkUpdated u) {
                    seen.add(u);
                }
            });
        })) {
            assertEquals(List.of(), joinedAtHook, "nothing joined when the hook runs");
            long ms = LoopbackRig.await(5_000, () -> seen.size() >= remembered.size());
            assertTrue(ms >= 0, "the hook's listener saw every remembered network: " + seen);
            for (NetworkId id : remembered) {
                assertTrue(seen.stream().anyMatch(u -> u.networkId().equals(id)
                        && u.status().status() == NetworkStatus.Status.REQUESTING_CONFIGURATION), id + " from its first event");
            }
            assertEquals(remembered, node.service().call(n -> n.networks()).join().stream().map(NetworkStatus::id).toList());
        }
    }
}
