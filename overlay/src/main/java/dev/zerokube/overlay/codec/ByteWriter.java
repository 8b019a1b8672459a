package dev.zerokube.overlay.codec;

import java.util.Arrays;

/**
 * A growable big-endian byte builder for encoders off the hot path (configs, credentials, worlds,
 * control verbs). Hot-path encoders write into a caller's buffer instead and return a length.
 */
public final class ByteWriter {
    private byte[] bytes;
    private int length;

    public ByteWriter() {
        this(64);
    }

    public ByteWriter(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    public int length() {
        return length;
    }

    private void ensure(int more) {
        if (bytes.length - length < more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    public ByteWriter u8(int v) {
        ensure(1);
        bytes[length++] = (byte) v;
        return this;
    }

    public ByteWriter u16(int v) {
        ensure(2);
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) v;
        return this;
    }

    public ByteWriter u32(long v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteWriter u40(long v) {
        ensure(5);
        for (int shift = 32; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteWriter u64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public ByteWriter bytes(byte[] b, int offset, int len) {
        ensure(len);
        System.arraycopy(b, offset, bytes, length, len);
        length += len;
        return this;
    }

    /** Overwrites a 16-bit value already written at {@code at} (for lengths known only later). */
    public void setU16(int at, int v) {
        if (at < 0 || at + 2 > length) {
            throw new IndexOutOfBoundsException(at);
        }
        bytes[at] = (byte) (v >>> 8);
        bytes[at + 1] = (byte) v;
    }

    /** A copy of what was written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }
}
