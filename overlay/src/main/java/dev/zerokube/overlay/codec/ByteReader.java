package dev.zerokube.overlay.codec;

import java.util.Arrays;

/**
 * A bounds-checked big-endian cursor over a byte range, for decoders of untrusted input.
 *
 * <p>Every read checks the remaining length first and reports a {@link WireFormatException} naming
 * {@code context} and the field, so a decoder written with it is total by construction. Reads that
 * copy ({@link #readBytes}) are sized only after the length has been checked against what is
 * actually present, so untrusted length fields can never cause a large allocation.
 *
 * <p>The reader does not copy the array it is given: it is valid only while the caller's bytes are.
 */
public final class ByteReader {
    private final byte[] bytes;
    private final int end;
    private final String context;
    private int position;

    /** Reads {@code bytes[offset, offset+length)}; {@code context} prefixes every error ("COM"). */
    public ByteReader(byte[] bytes, int offset, int length, String context) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + bytes.length);
        }
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
        this.context = context;
    }

    public ByteReader(byte[] bytes, String context) {
        this(bytes, 0, bytes.length, context);
    }

    /** Absolute offset of the next byte in the underlying array. */
    public int position() {
        return position;
    }

    public int remaining() {
        return end - position;
    }

    public boolean hasRemaining() {
        return position < end;
    }

    /** The array this reader reads (not a copy). */
    public byte[] array() {
        return bytes;
    }

    /** Fails unless at least {@code n} bytes remain for {@code field}. */
    public void require(int n, String field) throws WireFormatException {
        if (n < 0 || end - position < n) {
            throw new WireFormatException(context + ": " + field + " needs " + n + " bytes, "
                    + (end - position) + " left");
        }
    }

    public int readU8(String field) throws WireFormatException {
        require(1, field);
        return bytes[position++] & 0xff;
    }

    public int readU16(String field) throws WireFormatException {
        require(2, field);
        int v = ((bytes[position] & 0xff) << 8) | (bytes[position + 1] & 0xff);
        position += 2;
        return v;
    }

    /** An unsigned 32-bit value in a long. */
    public long readU32(String field) throws WireFormatException {
        require(4, field);
        long v = ((long) (bytes[position] & 0xff) << 24) | ((bytes[position + 1] & 0xff) << 16)
                | ((bytes[position + 2] & 0xff) << 8) | (bytes[position + 3] & 0xff);
        position += 4;
        return v;
    }

    /** A 40-bit value (ZeroTier address) in a long. */
    public long readU40(String field) throws WireFormatException {
        require(5, field);
        long v = 0;
        for (int i = 0; i < 5; i++) {
            v = (v << 8) | (bytes[position + i] & 0xff);
        }
        position += 5;
        return v;
    }

    /** A 64-bit value; unsigned on the wire, two's complement here. */
    public long readU64(String field) throws WireFormatException {
        require(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[position + i] & 0xff);
        }
        position += 8;
        return v;
    }

    /** Copies the next {@code n} bytes; {@code n} is checked against what is present first. */
    public byte[] readBytes(int n, String field) throws WireFormatException {
        require(n, field);
        byte[] out = Arrays.copyOfRange(bytes, position, position + n);
        position += n;
        return out;
    }

    public void skip(int n, String field) throws WireFormatException {
        require(n, field);
        position += n;
    }

    /** Fails if anything is left: for structures that must fill their container exactly. */
    public void expectEnd(String what) throws WireFormatException {
        if (position != end) {
            throw new WireFormatException(context + ": " + (end - position) + " unexpected bytes after " + what);
        }
    }

    /** A {@link WireFormatException} with this reader's context, for checks on decoded values. */
    public WireFormatException error(String message) {
        return new WireFormatException(context + ": " + message);
    }
}
