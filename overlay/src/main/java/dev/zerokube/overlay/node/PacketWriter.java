package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;

/**
 * A reusable, fixed-capacity buffer in which the node composes one outgoing packet in place: the
 * header through {@link PacketHeader#writeHeader}, then the payload field by field. It exists
 * beside {@link dev.zerokube.overlay.codec.ByteWriter} because the send path must not allocate:
 * ByteWriter grows and copies out, this one writes into an array held by the node for its whole
 * life. Payload layouts are the verb records' ({@code wire.verbs}); only the per-packet ones
 * (ECHO, OK(ECHO), RENDEZVOUS, HELLO) are written here field by field.
 *
 * <p>Overflow is a bug of ours (every composed packet is bounded), so it throws.
 */
final class PacketWriter {
    final byte[] buf = new byte[PacketHeader.MAX_LENGTH];
    int length;

    /** Starts a packet: header with this ID, addresses, flags 0 and the verb. */
    PacketWriter start(long packetId, long destination, long source, Verb verb) {
        length = PacketHeader.writeHeader(buf, 0, packetId, destination, source, verb.code());
        return this;
    }

    /** Starts from a copy of an existing packet (a queued one, about to be armored). */
    void load(byte[] src, int off, int len) {
        System.arraycopy(src, off, buf, 0, len);
        length = len;
    }

    PacketWriter u8(int v) {
        ensure(1);
        buf[length++] = (byte) v;
        return this;
    }

    PacketWriter u16(int v) {
        ensure(2);
        buf[length++] = (byte) (v >>> 8);
        buf[length++] = (byte) v;
        return this;
    }

    PacketWriter u32(long v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** A 48-bit MAC address, most significant octet first. */
    PacketWriter mac(long v) {
        ensure(6);
        for (int shift = 40; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    PacketWriter u40(long v) {
        ensure(Address.LENGTH);
        for (int shift = 32; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    PacketWriter u64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    PacketWriter bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, length, len);
        length += len;
        return this;
    }

    PacketWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    /** An InetAddress in ZeroTier's form (ZT1-03 §2.1), encoded by {@link InetEndpoint}; at the edges only (it allocates). */
    PacketWriter endpoint(InetEndpoint e) {
        return bytes(e.toBytes());
    }

    private void ensure(int n) {
        if (length + n > buf.length) {
            throw new IllegalStateException("packet exceeds " + buf.length + " bytes");
        }
    }
}
