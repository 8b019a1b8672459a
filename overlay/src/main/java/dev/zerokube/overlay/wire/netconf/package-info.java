/**
 * The network configuration a controller sends a member ({@link
 * dev.zerokube.overlay.wire.netconf.NetworkConfig}, ZT1-04 §3) and the metadata a member sends
 * with its request ({@link dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata}, ZT1-04 §2),
 * both carried as a {@link dev.zerokube.overlay.wire.Dictionary}.
 *
 * <p>Encoding reproduces ZeroTier One 1.14.1's bytes exactly (key order, number formats, the
 * always-present DNS and SSO keys); decoding reads what 1.14.1 reads, with its defaults, limits and
 * refusals, and reports bad input as a {@link dev.zerokube.overlay.codec.WireFormatException}.
 * Depends on {@code codec}, {@code identity}, {@code wire}, {@code wire.credentials} and
 * {@code wire.rules}; sans-I/O.
 */
package dev.zerokube.overlay.wire.netconf;
