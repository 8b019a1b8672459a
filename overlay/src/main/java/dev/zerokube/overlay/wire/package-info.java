/**
 * ZeroTier 1.x wire formats (ZT1-02 .. ZT1-07): packets and fragments, armor and dearmor,
 * LZ4, every verb's payload, InetAddress, Dictionary, NetworkConfig, credentials, binary rules
 * and worlds.
 *
 * <p>Depends on {@code crypto} and {@code identity}. Every decoder is total: malformed bytes give
 * a {@link dev.zerokube.overlay.codec.WireFormatException} (or a drop reason on the hot path)
 * naming what was wrong, never an unchecked exception, a loop without bound, or an allocation
 * sized by untrusted input. Sans-I/O.
 */
package dev.zerokube.overlay.wire;
