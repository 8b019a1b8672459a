package dev.zerokube.nodeagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: the agent reads its settings as docs/node-agent.md and the chart say: defaults,
 * environment (what the chart sets), arguments over environment, and a clear refusal of bad
 * input. Method: Main.Options.parse with argument lists and environment maps.
 */
class MainTest {
    @Test
    void defaultsNeedOnlyTheNodeName() {
        Main.Options o = Main.Options.parse(List.of(), Map.of("NODE_NAME", "node-a"));
        assertEquals("node-a", o.nodeName());
        assertEquals(Path.of("/var/lib/kubelet/device-plugins"), o.pluginDir());
        assertEquals(110, o.devices());
        assertEquals(Path.of("/var/run/zerokube/node-agent"), o.handoffDir());
        assertEquals(60_000, o.handoffWaitMs());
        assertTrue(o.devicePlugin() && o.tapsEnabled());
    }

    @Test
    void theChartsEnvironmentAndArgumentsOverIt() {
        Map<String, String> env = Map.of("NODE_NAME", "node-a", "ZEROKUBE_PLUGIN_DIR", "/k/dp", "ZEROKUBE_TUN_DEVICES", "250",
                "ZEROKUBE_HANDOFF_DIR", "/run/zk", "ZEROKUBE_HANDOFF_WAIT_MS", "5000");
        Main.Options o = Main.Options.parse(List.of(), env);
        assertEquals(Path.of("/k/dp"), o.pluginDir());
        assertEquals(250, o.devices());
        assertEquals(Path.of("/run/zk"), o.handoffDir());
        assertEquals(5000, o.handoffWaitMs());
        Main.Options a = Main.Options.parse(List.of("--node-name", "node-b", "--devices", "7", "--no-device-plugin"), env);
        assertEquals("node-b", a.nodeName());
        assertEquals(7, a.devices());
        assertFalse(a.devicePlugin());
        assertTrue(a.tapsEnabled());
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertEquals("--node-name (or NODE_NAME) is required",
                assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(List.of(), Map.of())).getMessage());
        assertNull(Main.Options.parse(List.of("--no-taps"), Map.of()).nodeName(), "the device plugin alone needs no node name");
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(List.of("--devices", "0"), Map.of("NODE_NAME", "n")));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(List.of("--devices", "many"), Map.of("NODE_NAME", "n")));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(List.of("--devices"), Map.of("NODE_NAME", "n")));
        assertEquals("unknown argument --frobnicate", assertThrows(IllegalArgumentException.class,
                () -> Main.Options.parse(List.of("--frobnicate"), Map.of("NODE_NAME", "n"))).getMessage());
    }
}
