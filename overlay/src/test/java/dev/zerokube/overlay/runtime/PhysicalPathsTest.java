package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.TrustedPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/*
 * Goal: local.conf's physical block becomes the node's trusted paths as 1.14.1 reads it (ZT1-02
 * §11.1: IDs as numbers, decimal strings or true; entries without an ID trust nothing), and every
 * configuration 1.14.1 would accept but act on surprisingly (§11.6) is refused with its reason.
 * Method: LocalConf.parse on local.conf texts; lookups on the result.
 */
class PhysicalPathsTest {
    private static final byte[] K1 = InetEndpoint.parseIp("198.18.0.32");
    private static final byte[] Z1 = InetEndpoint.parseIp("198.18.0.31");

    @Test
    void readsTrustedNetworksAs1141Does() {
        TrustedPaths t = LocalConf.parse("""
                {"physical": {
                  "198.18.0.32/32": {"trustedPathId": 101},
                  "10.1.0.0/16": {"trustedPathId": "18446744073709551615"},
                  "fd00::/8": {"trustedPathId": true},
                  "192.168.0.0/16": {"mtu": 1400}},
                 "settings": {"primaryPort": 9993}}""").trustedPaths();
        assertEquals(3, t.networks().size(), t.toString());
        assertEquals(101, out(t, K1));
        assertEquals(0, out(t, Z1), "not listed: armored as usual");
        assertEquals(-1L, out(t, InetEndpoint.parseIp("10.1.200.3")), "2^64 - 1 as a decimal string");
        assertEquals(1, out(t, InetEndpoint.parseIp("fd12::1")), "true is 1");
        assertEquals(0, out(t, InetEndpoint.parseIp("192.168.1.1")), "an entry without an ID trusts nothing");
        assertTrue(t.acceptsInbound(101, K1, 0, 4));
        assertTrue(!t.acceptsInbound(102, K1, 0, 4), "another ID from the same address is dropped");
        assertTrue(LocalConf.parse("{}").trustedPaths().isEmpty());
        assertTrue(LocalConf.parse("{\"physical\": {\"10.0.0.0/8\": {\"trustedPathId\": 0}}}").trustedPaths().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            "physical": []                                                                    | must be an object of networks
            "physical": {"10.0.0.0/8": 5}                                                     | physical.10.0.0.0/8 must be an object
            "physical": {"198.18.0.32": {"trustedPathId": 101}}                              | no prefix length
            "physical": {"198.18.0.0/33": {"trustedPathId": 101}}                            | out of range
            "physical": {"198.18.0.0/0": {"trustedPathId": 101}}                             | out of range
            "physical": {"198.18.0.1/24": {"trustedPathId": 101}}                            | host bits
            "physical": {"fd00::1/8": {"trustedPathId": 101}}                                | host bits
            "physical": {"example.com/8": {"trustedPathId": 101}}                            | is not a network
            "physical": {"10.0.0.0/8": {"trustedPathId": "0x12"}}                            | is not a decimal number
            "physical": {"10.0.0.0/8": {"trustedPathId": 1.5}}                               | must be a whole number
            "physical": {"10.0.0.0/8": {"trustedPathId": 1}, "10.1.0.0/16": {"trustedPathId": 2}} | overlapping trusted networks with different IDs
            "physical": {"10.0.0.0/8": {"mtu": 1400}, "10.1.0.0/16": {"trustedPathId": 2}}  | has no trustedPathId but contains the trusted network 10.1.0.0/16
            """)
    void refusesWhat1141WouldMisuse(String physical, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalConf.parse("{" + physical + "}"));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("local.conf physical"), e.getMessage());
    }

    @Test
    void refusesMoreThan32TrustedNetworks() {
        StringBuilder b = new StringBuilder("{\"physical\": {");
        for (int i = 0; i < TrustedPaths.MAX_ENTRIES + 1; i++) {
            b.append(i == 0 ? "" : ",").append("\"10.0.").append(i).append(".0/24\": {\"trustedPathId\": 7}");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalConf.parse(b.append("}}").toString()));
        assertTrue(e.getMessage().contains("at most 32"), e.getMessage());
    }

    private static long out(TrustedPaths t, byte[] ip) {
        return t.outboundId(ip, 0, ip.length);
    }
}
