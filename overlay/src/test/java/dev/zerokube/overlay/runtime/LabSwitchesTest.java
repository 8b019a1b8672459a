package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.wire.PacketHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/*
 * Goal: the interop lab's switches (ZT1-11 §5 item 1) reach the node's config from system
 * properties, are off unless set, and a value that is not what they take stops the start with a
 * message naming the property instead of being ignored.
 */
class LabSwitchesTest {
    private static final NodeConfig DEFAULTS = NodeConfig.of(null);

    @AfterEach
    void clear() {
        System.clearProperty(HomeNode.LAB_PROTOCOL);
        System.clearProperty(HomeNode.LAB_CIPHER1);
    }

    @Test
    void offUnlessSet() {
        assertSame(DEFAULTS, HomeNode.labSwitches(DEFAULTS));
        assertEquals(PacketHeader.PROTOCOL_VERSION, DEFAULTS.protocolVersion());
        assertFalse(DEFAULTS.cipher1Only());
    }

    @Test
    void protocolAndCipherFromProperties() {
        System.setProperty(HomeNode.LAB_PROTOCOL, "11");
        NodeConfig c = HomeNode.labSwitches(DEFAULTS);
        assertEquals(11, c.protocolVersion());
        assertFalse(c.cipher1Only());
        System.clearProperty(HomeNode.LAB_PROTOCOL);
        System.setProperty(HomeNode.LAB_CIPHER1, "true");
        c = HomeNode.labSwitches(DEFAULTS);
        assertEquals(PacketHeader.PROTOCOL_VERSION, c.protocolVersion());
        assertTrue(c.cipher1Only());
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        System.setProperty(HomeNode.LAB_PROTOCOL, "eleven");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HomeNode.labSwitches(DEFAULTS));
        assertTrue(e.getMessage().contains("-Dzerokube.lab.protocol=eleven"), e.getMessage());
        System.setProperty(HomeNode.LAB_PROTOCOL, "3");
        e = assertThrows(IllegalArgumentException.class, () -> HomeNode.labSwitches(DEFAULTS));
        assertTrue(e.getMessage().contains("protocol version 3"), e.getMessage());
        System.clearProperty(HomeNode.LAB_PROTOCOL);
        System.setProperty(HomeNode.LAB_CIPHER1, "yes");
        e = assertThrows(IllegalArgumentException.class, () -> HomeNode.labSwitches(DEFAULTS));
        assertTrue(e.getMessage().contains("-Dzerokube.lab.cipher1=yes: true or false"), e.getMessage());
    }
}
