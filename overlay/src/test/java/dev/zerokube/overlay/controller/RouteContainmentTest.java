package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Goal: "route contains address" is 1.14.1's {@code containsAddress} (ZT1-09 §4.8), including its
 * asymmetry: IPv4 ignores host bits of the target, IPv6 does not. Method: a table of cases, and
 * the longest-prefix choice for stored assignments over overlapping routes (quirk Q2).
 */
class RouteContainmentTest {
    @ParameterizedTest
    @CsvSource({
        "10.147.17.0/24, 10.147.17.5, true",
        "10.147.17.0/24, 10.147.18.5, false",
        "10.147.17.5/24, 10.147.17.9, true", // IPv4: host bits of the target ignored
        "0.0.0.0/0, 198.18.0.1, true",
        "10.1.2.3/0, 198.18.0.1, true", // IPv4 /0 contains everything
        "10.147.17.5/32, 10.147.17.5, true",
        "10.147.17.5/32, 10.147.17.6, false",
        "fd00:5a54::/32, fd00:5a54::5, true",
        "fd00:5a54::/32, fd00:5a55::5, false",
        "fd00:5a54::1/32, fd00:5a54::1, false", // IPv6: a target with host bits contains nothing
        "::/0, fd00::1, true",
        "fd00::/0, fd00::1, false", // IPv6 /0: only :: itself matches the zero mask
        "fd00:5a54::/31, fd00:5a55::5, true",
        "10.0.0.0/8, fd00::1, false",
        "fd00::/8, 10.0.0.1, false",
    })
    void contains(String target, String ip, boolean expected) {
        assertEquals(expected, RouteContainment.contains(InetEndpoint.parse(target),
                InetEndpoint.of(InetEndpoint.parseIp(ip), 0)));
    }

    @ParameterizedTest
    @CsvSource({
        "10.1.0.6, 16",
        "10.2.0.6, 8",
        "192.168.1.1, -1",
        "fd00:1::72:2a7:7aad, 64",
    })
    void longestContainingPrefix(String ip, int expected) {
        List<Route> routes = List.of(
                new Route(InetEndpoint.parse("10.0.0.0/8"), InetEndpoint.parse("192.168.1.1/0"), 0, 0),
                Route.direct(InetEndpoint.parse("10.1.0.0/16")),
                Route.direct(InetEndpoint.parse("fd00:1::/64")));
        assertEquals(expected, RouteContainment.longestContainingPrefix(routes, InetEndpoint.of(InetEndpoint.parseIp(ip), 0)));
    }
}
