/**
 * Payloads of every ZeroTier 1.x verb and of their OK and ERROR replies (ZT1-03), one immutable
 * type per verb in the sealed {@link dev.zerokube.overlay.wire.verbs.VerbPayload}, so that an
 * exhaustive {@code switch} shows every place a verb must be handled.
 *
 * <p>A payload is the bytes after the verb byte, already dearmored and decompressed by the
 * packet layer ({@code wire.Armor}, {@code wire.Lz4}). Each type has {@code decode(ByteReader)},
 * which reads the whole payload and is total (malformed bytes give a
 * {@link dev.zerokube.overlay.codec.WireFormatException} naming the verb and field), and
 * {@code encode(ByteWriter)}. Decoders accept what 1.14.1 accepts: optional trailing fields
 * absent when the packet ends, bytes 1.14.1 ignores ignored (so only canonical input re-encodes
 * to the same bytes). Lengths from the wire are checked against the bytes present before
 * anything is allocated.
 *
 * <p>Credentials inside verbs are the {@code wire.credentials} types. World updates in
 * OK(HELLO) and dictionaries (config chunks, request metadata, error data, traces) are kept as
 * bytes, because 1.14.1 parses them only after a trust check or reassembly. Sans-I/O.
 */
package dev.zerokube.overlay.wire.verbs;
