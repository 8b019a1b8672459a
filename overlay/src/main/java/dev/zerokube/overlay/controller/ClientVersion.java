package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;

/**
 * The software and protocol version a member reported in its last authorized config request
 * (member {@code vMajor}, {@code vMinor}, {@code vRev}, {@code vProto}; ZT1-09 §3 step 9).
 * 1.14.1 stores them as read, unsigned 64-bit; {@link #UNKNOWN} (all −1) until the first
 * authorized request.
 */
public record ClientVersion(long major, long minor, long revision, long protocol) {
    /** The record default before any authorized request. */
    public static final ClientVersion UNKNOWN = new ClientVersion(-1, -1, -1, -1);

    /** The versions a request's metadata carries ({@code majv}, {@code minv}, {@code revv}, {@code pv}; 0 if absent). */
    public static ClientVersion of(ConfigRequestMetadata metadata) {
        return new ClientVersion(metadata.majorVersion(), metadata.minorVersion(), metadata.revision(),
                metadata.protocolVersion());
    }

    @Override
    public String toString() {
        return this.equals(UNKNOWN) ? "unknown"
                : Long.toUnsignedString(major) + "." + Long.toUnsignedString(minor) + "." + Long.toUnsignedString(revision)
                        + "/" + Long.toUnsignedString(protocol);
    }
}
