package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.InetEndpoint;

/**
 * An address chosen from a pool.
 *
 * @param ip the address (port 0), to be appended to the member's {@code ipAssignments}
 * @param routePrefixBits the prefix of the route that let 1.14.1 accept it (the first matching
 *     IPv4 route, the last matching gateway-less IPv6 route); 1.14.1 issues the address with this
 *     prefix in the very first config only (quirk Q2)
 */
record PoolPick(InetEndpoint ip, int routePrefixBits) {}
