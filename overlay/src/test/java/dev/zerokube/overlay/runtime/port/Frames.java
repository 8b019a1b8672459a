package dev.zerokube.overlay.runtime.port;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test helpers: frames built by hand (Ethernet, IPv4/IPv6, TCP/UDP/ICMP), a slow word-by-word
 * Internet checksum to check {@link Checksum} and the segmenter against, and a consumer that keeps
 * copies.
 */
final class Frames {
    static final byte[] MAC_A = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    static final byte[] MAC_B = {0x02, 0x66, 0x77, 0x08, (byte) 0x99, (byte) 0xaa};

    private Frames() {
    }

    /** RFC 1071 the slow way: 16-bit words, fold on every step. */
    static int referenceSum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    /** Whether an L4 segment (with its checksum in place) verifies against the pseudo-header. */
    static boolean l4ChecksumOk(byte[] f, int ipOff, boolean v4, int proto, int l4Off, int l4Len) {
        int addrOff = ipOff + (v4 ? 12 : 8);
        int addrLen = v4 ? 8 : 32;
        int sum = referenceSum(f, addrOff, addrLen) + proto + l4Len + referenceSum(f, l4Off, l4Len);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum == 0xffff;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    /**
     * An Ethernet + IP + TCP frame with the given payload; the TCP checksum is left as given
     * (0 or a partial sum is set by the caller).
     */
    static byte[] tcpFrame(boolean v4, int ipId, long seq, int tcpFlags, int tcpOptionBytes, byte[] payload) {
        int ipLen = v4 ? 20 : 40;
        int tcpLen = 20 + tcpOptionBytes;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen + tcpLen + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.put(MAC_B).put(MAC_A).putShort((short) (v4 ? 0x0800 : 0x86dd));
        if (v4) {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (ipLen + tcpLen + payload.length)).putShort((short) ipId)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                    .put(new byte[] {(byte) 198, 18, 7, 2}).put(new byte[] {(byte) 198, 18, 7, 1});
        } else {
            b.putInt(0x6000_0000).putShort((short) (tcpLen + payload.length)).put((byte) 6).put((byte) 64);
            b.put(v6(2)).put(v6(1));
        }
        b.putShort((short) 40001).putShort((short) 5001).putInt((int) seq).putInt(0x1234_5678)
                .put((byte) ((tcpLen / 4) << 4)).put((byte) tcpFlags).putShort((short) 502).putShort((short) 0)
                .putShort((short) 0);
        for (int i = 0; i < tcpOptionBytes; i++) {
            b.put(i + 1 == tcpOptionBytes ? (byte) 0 : (byte) 1); // NOPs then end of options
        }
        b.put(payload);
        byte[] f = b.array();
        if (v4) {
            Checksum.putU16(f, 24, ~referenceSum(f, 14, 20) & 0xffff);
        }
        return f;
    }

    static byte[] v6(int last) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        a[1] = 0x5a;
        a[15] = (byte) last;
        return a;
    }

    /** A virtio-net header (little-endian, as on x86-64 and aarch64) followed by {@code frame}. */
    static byte[] withVnetHeader(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(10 + frame.length).order(ByteOrder.nativeOrder());
        b.put((byte) flags).put((byte) gsoType).putShort((short) hdrLen).putShort((short) gsoSize)
                .putShort((short) csumStart).putShort((short) csumOffset).put(frame);
        return b.array();
    }

    /** Keeps a copy of every frame it is handed. */
    static final class Collector implements FrameConsumer {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public void onFrame(byte[] frame, int off, int len) {
            frames.add(Arrays.copyOfRange(frame, off, off + len));
        }
    }
}
