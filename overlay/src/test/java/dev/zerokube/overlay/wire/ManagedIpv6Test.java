package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zerokube.overlay.identity.Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Goal: the RFC 4193 and 6PLANE addresses are 1.14.1's. Method: the worked examples of ZT1-09
 * §4.7 and §4.14, the addresses in netconf.jsonl's controller configs and the capture (A's and B's
 * rfc4193 addresses), in inet_ntop text with the prefix as port.
 */
class ManagedIpv6Test {
    @ParameterizedTest
    @CsvSource({
        "8056c2e21c000001, 89e92ceee5, fd80:56c2:e21c:0:199:9389:e92c:eee5/88, fc9c:56c2:e389:e92c:eee5::1/40",
        "1d939ff884000001, 7202a77aad, fd1d:939f:f884:0:199:9372:2a7:7aad/88, fc99:939f:f972:2a7:7aad::1/40",
        "569957c763000102, 22afb5217c, fd56:9957:c763:1:299:9322:afb5:217c/88, fc35:9956:c522:afb5:217c::1/40",
        "c1a675eb9f955d1f, e09492355d, fdc1:a675:eb9f:955d:1f99:93e0:9492:355d/88, fc5e:3328:f4e0:9492:355d::1/40",
    })
    void derivedAddresses(String nwid, String member, String rfc4193, String sixPlane) {
        NetworkId n = NetworkId.parse(nwid);
        Address a = Address.parse(member);
        assertEquals(rfc4193, ManagedIpv6.rfc4193(n, a).toString());
        assertEquals(sixPlane, ManagedIpv6.sixPlane(n, a).toString());
    }
}
