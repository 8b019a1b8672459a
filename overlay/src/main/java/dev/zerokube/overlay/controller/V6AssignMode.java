package dev.zerokube.overlay.controller;

/**
 * A network's {@code v6AssignMode} (ZT1-09 §2.1): which IPv6 addresses members get without an
 * explicit assignment.
 *
 * @param rfc4193 issue the RFC 4193 address {@code fd<nwid>9993<address>/88} (ZT1-09 §4.7)
 * @param sixPlane issue the 6PLANE address (JSON key {@code 6plane})
 * @param zt assign one address from the network's IPv6 pools (ZT1-09 §4.9)
 */
public record V6AssignMode(boolean rfc4193, boolean sixPlane, boolean zt) {
    /** All off: 1.14.1's default. */
    public static final V6AssignMode NONE = new V6AssignMode(false, false, false);
}
