/**
 * A dissector for captured ZeroTier traffic ("tcpdump for ZeroTier"): datagrams with their time and
 * underlay endpoints go in, one {@link dev.zerokube.overlay.wire.inspect.DatagramRecord} per
 * datagram comes out, saying what a 1.14.1 node would make of it (kind, header fields, cipher,
 * whether it authenticates, verb, a one-line summary of the payload).
 *
 * <p>It only composes the wire codecs (packets, armor, reassembly, LZ4, verb payloads) and
 * identities; it decodes nothing itself. Sans-I/O like the rest of {@code wire}: the caller reads
 * files and prints.
 */
package dev.zerokube.overlay.wire.inspect;
