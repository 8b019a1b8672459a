package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: Verb, NetworkId, Mac and MulticastGroup hold the numbers and rules of ZT1-03 / ZT1-08.
 * Method: the verb table checked code by code; the worked MAC examples of ZT1-08 §1.1; seeded
 * random round trips of MAC derivation and of the text and wire forms; malformed text.
 */
class SmallValuesTest {
    @Test
    void verbTable() {
        String[] names = {"NOP", "HELLO", "ERROR", "OK", "WHOIS", "RENDEZVOUS", "FRAME", "EXT_FRAME", "ECHO",
            "MULTICAST_LIKE", "NETWORK_CREDENTIALS", "NETWORK_CONFIG_REQUEST", "NETWORK_CONFIG",
            "MULTICAST_GATHER", "MULTICAST_FRAME", null, "PUSH_DIRECT_PATHS", null, "ACK", "QOS_MEASUREMENT",
            "USER_MESSAGE", "REMOTE_TRACE", "PATH_NEGOTIATION_REQUEST"};
        for (int code = 0; code < 32; code++) {
            Verb v = Verb.ofCode(code);
            String expected = code < names.length ? names[code] : null;
            if (expected == null) {
                assertNull(v, "code " + code);
            } else {
                assertEquals(expected, v.name());
                assertEquals(code, v.code());
                // The flag bits are not part of the verb.
                assertEquals(v, Verb.ofCode(code | 0x80 | 0x40 | 0x20));
            }
        }
        assertEquals(21, Verb.values().length);
    }

    @Test
    void networkId() throws WireFormatException {
        NetworkId id = NetworkId.parse("8056C2E21C000001");
        assertEquals("8056c2e21c000001", id.toString());
        assertEquals(0x8056c2e21cL, id.controllerAddress());
        assertEquals(0x8056c2e21cL, id.controller().value());
        ByteWriter w = new ByteWriter();
        id.encode(w);
        assertEquals(id, NetworkId.decode(new ByteReader(w.toByteArray(), "t")));
        assertEquals("ffffffffffffffff", new NetworkId(-1).toString());
        assertTrue(new NetworkId(-1).compareTo(new NetworkId(1)) > 0, "unsigned order");
        for (String bad : new String[] {"", "8056c2e21c00001", "8056c2e21c0000011", "+056c2e21c000001", "8056c2e21c00000g"}) {
            assertThrows(IllegalArgumentException.class, () -> NetworkId.parse(bad), bad);
        }
    }

    @Test
    void macWorkedExamplesOfZt108() {
        assertEquals("02:22:af:a9:c3:be", Mac.fromAddress(0x22afb5217cL, 0x8056c2e21c000001L).toString());
        assertEquals("32:22:af:a9:c3:be", Mac.fromAddress(0x22afb5217cL, 0x8056c2e21c000051L).toString());
        assertEquals("72:92:4b:86:23:b3", Mac.fromAddress(0x22afb5217cL, 0xa09acf0233e4b070L).toString());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void macRandom(long seed) throws WireFormatException {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int t = 0; t < 1000; t++) {
            long address = rnd.nextLong() & 0xff_ffff_ffffL;
            long nwid = rnd.nextLong();
            Mac mac = Mac.fromAddress(address, nwid);
            assertEquals(address, mac.toAddress(nwid));
            assertTrue(mac.isMemberMacOn(nwid));
            assertTrue(mac.isLocallyAdministered());
            assertFalse(mac.isMulticast());
            assertTrue(mac.firstOctet() != 0x52);
            assertEquals(mac.value(), Mac.fromAddressValue(address, nwid));
            assertEquals(mac, Mac.parse(mac.toString()));
            assertEquals(mac, Mac.parse(mac.toString().toUpperCase()));
            ByteWriter w = new ByteWriter();
            mac.encode(w);
            assertEquals(mac, Mac.decode(new ByteReader(w.toByteArray(), "t"), "m"));
        }
    }

    @Test
    void macPredicatesAndErrors() {
        assertTrue(Mac.BROADCAST.isBroadcast() && Mac.BROADCAST.isMulticast());
        assertTrue(Mac.parse("01:00:5e:00:00:fb").isMulticast());
        assertFalse(Mac.parse("01:00:5e:00:00:fb").isBroadcast());
        assertTrue(Mac.NIL.isNil());
        for (String bad : new String[] {"", "02:22:af:a9:c3", "02-22-af-a9-c3-be", "02:22:af:a9:c3:bg", "022:2a:fa9:c3:be:"}) {
            assertThrows(IllegalArgumentException.class, () -> Mac.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new Mac(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> Mac.fromAddress(1L << 40, 0));
        assertThrows(WireFormatException.class, () -> Mac.decode(new ByteReader(new byte[5], "t"), "m"));
    }

    @Test
    void multicastGroups() throws WireFormatException {
        MulticastGroup arp = MulticastGroup.forAddressResolution(InetEndpoint.parseIp("10.147.17.94"));
        assertEquals(0x0a93115eL, arp.adi());
        assertEquals(Mac.BROADCAST, arp.mac());
        MulticastGroup ndp = MulticastGroup.forAddressResolution(InetEndpoint.parseIp("fe80::8a3:2bff:fe1c:4d5e"));
        assertEquals("33:33:ff:1c:4d:5e/0", ndp.toString());
        assertThrows(IllegalArgumentException.class, () -> new MulticastGroup(Mac.BROADCAST, 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> MulticastGroup.forAddressResolution(InetEndpoint.NIL));
        // Ordering: MAC first, then ADI as unsigned.
        assertTrue(new MulticastGroup(Mac.BROADCAST, 0xffff_ffffL).compareTo(new MulticastGroup(Mac.BROADCAST, 1)) > 0);
        assertTrue(new MulticastGroup(new Mac(1), 0xffff_ffffL).compareTo(new MulticastGroup(new Mac(2), 0)) < 0);
        SplittableRandom rnd = new SplittableRandom(4);
        for (int t = 0; t < 200; t++) {
            MulticastGroup g = new MulticastGroup(new Mac(rnd.nextLong() & 0xffff_ffff_ffffL), rnd.nextLong() & 0xffff_ffffL);
            ByteWriter w = new ByteWriter();
            g.encode(w);
            byte[] b = w.toByteArray();
            assertEquals(MulticastGroup.LENGTH, b.length);
            assertEquals(g, MulticastGroup.decode(new ByteReader(b, "t"), "g"));
            for (int n = 0; n < b.length; n++) {
                ByteReader cut = new ByteReader(b, 0, n, "t");
                assertThrows(WireFormatException.class, () -> MulticastGroup.decode(cut, "g"));
            }
        }
    }
}
