package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;

/**
 * Raw LZ4 blocks, the payload compression of ZeroTier 1.x (ZT1-02 §7): no frame, no magic and
 * no length prefix; the receiver decompresses into a buffer of bounded size.
 *
 * <pre>
 * block    = sequence* last
 * sequence = token [1]                      high nibble L = literal count, low nibble M = match length - 4
 *            [255]* [1]  if L == 15           literal count extension (sum of bytes, ends at a byte != 255)
 *            literals [L]
 *            offset [2] little-endian       1..65535 back into the output already produced
 *            [255]* [1]  if M == 15           match length extension
 * last     = token, extension, literals     literals only; they end exactly at the end of the block
 * </pre>
 *
 * <p>{@link #decompress} gives the verdicts of the reference safe decoder (LZ4 1.7.5, as embedded
 * in ZeroTier One 1.14.1) for the same output capacity, including its end-of-buffer rules: a
 * sequence whose literals leave fewer than 12 bytes of output capacity must be the last one and
 * end the input exactly; a match may not reach into the last 5 bytes of capacity; a match
 * length extension must leave at least 5 input bytes. The one deliberate difference: a zero
 * offset, which the old decoder turns into a copy of bytes it never wrote, is rejected.
 *
 * <p>{@link #compress} is a greedy single-probe hash-table compressor (our own); its blocks obey
 * the format's end rules (the last 5 bytes are literals, no match starts in the last 12), so any
 * LZ4 decoder reads them. Its output need not equal the reference compressor's byte for byte.
 * An instance holds the hash table and is reused: one instance per thread; {@link #decompress}
 * is static and allocation-free.
 */
public final class Lz4 {
    /** 1.14.1 compresses only payloads longer than this many bytes (ZT1-02 §7). */
    public static final int PAYLOAD_COMPRESS_MIN_EXCLUSIVE = 64;

    private static final int MIN_MATCH = 4;
    private static final int LAST_LITERALS = 5;
    // A match may not start within the last 12 bytes; the safe decoder's "near the end" test.
    private static final int MF_LIMIT = 12;
    private static final int MAX_OFFSET = 0xffff;
    private static final int HASH_BITS = 12;

    private final int[] table = new int[1 << HASH_BITS];

    /**
     * Decodes {@code src[srcOff, srcOff+srcLen)} into {@code dst} starting at {@code dstOff},
     * writing at most {@code dstMax} bytes, and returns the number written. An empty block
     * decodes to zero bytes (1.14.1 leaves an empty compressed payload as it is).
     *
     * @throws WireFormatException if the block is malformed or would exceed {@code dstMax}
     */
    public static int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstMax)
            throws WireFormatException {
        if (srcOff < 0 || srcLen < 0 || srcOff > src.length - srcLen
                || dstOff < 0 || dstMax < 0 || dstOff > dst.length - dstMax) {
            throw new IndexOutOfBoundsException("LZ4 ranges outside their arrays");
        }
        if (srcLen == 0) {
            return 0;
        }
        final int iend = srcOff + srcLen;
        final int oend = dstOff + dstMax;
        int ip = srcOff;
        int op = dstOff;
        while (true) {
            if (ip >= iend) {
                throw new WireFormatException("LZ4 block: ends before a sequence token");
            }
            int token = src[ip++] & 0xff;
            long literals = token >>> 4;
            if (literals == 15) {
                int s;
                do {
                    if (ip >= iend) {
                        throw new WireFormatException("LZ4 block: literal length runs past the end");
                    }
                    s = src[ip++] & 0xff;
                    literals += s;
                } while (ip < iend - 15 && s == 255);
            }
            long literalsEndOut = op + literals;
            long literalsEndIn = ip + literals;
            if (literalsEndOut > oend - MF_LIMIT || literalsEndIn > iend - (2 + 1 + LAST_LITERALS)) {
                // Near either end: this must be the last sequence and must fill the input exactly.
                if (literalsEndIn != iend) {
                    throw new WireFormatException("LZ4 block: " + literals + " literals do not end the block ("
                            + (iend - ip) + " input bytes left)");
                }
                if (literalsEndOut > oend) {
                    throw new WireFormatException("LZ4 block: output exceeds " + dstMax + " bytes");
                }
                System.arraycopy(src, ip, dst, op, (int) literals);
                return (int) literalsEndOut - dstOff;
            }
            System.arraycopy(src, ip, dst, op, (int) literals);
            ip += (int) literals;
            op += (int) literals;
            // At least 8 input bytes remain here, so the offset is present.
            int offset = (src[ip] & 0xff) | ((src[ip + 1] & 0xff) << 8);
            ip += 2;
            if (offset == 0 || offset > op - dstOff) {
                throw new WireFormatException("LZ4 block: match offset " + offset + " outside the "
                        + (op - dstOff) + " bytes decoded");
            }
            long matchLength = token & 0x0f;
            if (matchLength == 15) {
                int s;
                do {
                    s = src[ip++] & 0xff;
                    if (ip > iend - LAST_LITERALS) {
                        throw new WireFormatException("LZ4 block: match length runs into the last 5 input bytes");
                    }
                    matchLength += s;
                } while (s == 255);
            }
            matchLength += MIN_MATCH;
            if (op + matchLength > oend - LAST_LITERALS) {
                throw new WireFormatException("LZ4 block: match reaches the last 5 bytes of the "
                        + dstMax + "-byte output");
            }
            int from = op - offset;
            int end = op + (int) matchLength;
            if (offset >= matchLength) {
                System.arraycopy(dst, from, dst, op, (int) matchLength);
                op = end;
            } else {
                // Overlapping: each byte may repeat one just written.
                while (op < end) {
                    dst[op++] = dst[from++];
                }
            }
        }
    }

    /** The largest block {@link #compress} can produce for {@code length} input bytes. */
    public static int maxCompressedLength(int length) {
        return length + length / 255 + 16;
    }

    /**
     * Compresses {@code src[off, off+len)} into {@code dst} from {@code dstOff}, writing at most
     * {@code dstMax} bytes; returns the block length, or -1 if it would not fit in
     * {@code dstMax} ({@link #maxCompressedLength} always fits).
     */
    public int compress(byte[] src, int off, int len, byte[] dst, int dstOff, int dstMax) {
        if (off < 0 || len < 0 || off > src.length - len || dstOff < 0 || dstMax < 0
                || dstOff > dst.length - dstMax) {
            throw new IndexOutOfBoundsException("LZ4 ranges outside their arrays");
        }
        final int end = off + len;
        final int dend = dstOff + dstMax;
        int op = dstOff;
        int anchor = off;
        if (len > MF_LIMIT) {
            Arrays.fill(table, -1);
            final int matchStartLimit = end - MF_LIMIT;
            final int matchEndLimit = end - LAST_LITERALS;
            int ip = off;
            while (ip <= matchStartLimit) {
                int v = read32(src, ip);
                int h = hash(v);
                int candidate = table[h];
                table[h] = ip;
                if (candidate < 0 || ip - candidate > MAX_OFFSET || read32(src, candidate) != v) {
                    ip++;
                    continue;
                }
                // Extend backwards over pending literals, then forwards up to the end limit.
                while (ip > anchor && candidate > off && src[ip - 1] == src[candidate - 1]) {
                    ip--;
                    candidate--;
                }
                int matchEnd = ip + MIN_MATCH;
                int c = candidate + MIN_MATCH;
                while (matchEnd < matchEndLimit && src[matchEnd] == src[c]) {
                    matchEnd++;
                    c++;
                }
                op = writeSequence(src, anchor, ip - anchor, ip - candidate, matchEnd - ip, dst, op, dend);
                if (op < 0) {
                    return -1;
                }
                ip = matchEnd;
                anchor = ip;
                if (ip - 2 >= off && ip - 2 <= matchStartLimit) {
                    table[hash(read32(src, ip - 2))] = ip - 2;
                }
            }
        }
        op = writeSequence(src, anchor, end - anchor, 0, 0, dst, op, dend);
        return op < 0 ? -1 : op - dstOff;
    }

    /**
     * 1.14.1's sender rule (ZT1-02 §7): compress a payload only if it is longer than 64 bytes,
     * and keep the block only if it is strictly shorter than the payload. Returns the block
     * length written to {@code dst} (which must hold {@code len - 1} bytes from {@code dstOff}),
     * or -1 when the payload is to be sent as it is.
     */
    public int compressPayload(byte[] src, int off, int len, byte[] dst, int dstOff) {
        if (len <= PAYLOAD_COMPRESS_MIN_EXCLUSIVE) {
            return -1;
        }
        return compress(src, off, len, dst, dstOff, len - 1);
    }

    // Token, literal length, literals, and (when matchLength > 0) offset and match length.
    private static int writeSequence(byte[] src, int literalsAt, int literals, int offset, int matchLength,
            byte[] dst, int op, int dend) {
        int m = matchLength == 0 ? 0 : matchLength - MIN_MATCH;
        int need = 1 + literals + (literals >= 15 ? (literals - 15) / 255 + 1 : 0)
                + (matchLength == 0 ? 0 : 2 + (m >= 15 ? (m - 15) / 255 + 1 : 0));
        if (need > dend - op) {
            return -1;
        }
        dst[op++] = (byte) ((Math.min(literals, 15) << 4) | (matchLength == 0 ? 0 : Math.min(m, 15)));
        op = writeLength(dst, op, literals);
        System.arraycopy(src, literalsAt, dst, op, literals);
        op += literals;
        if (matchLength != 0) {
            dst[op++] = (byte) offset;
            dst[op++] = (byte) (offset >>> 8);
            op = writeLength(dst, op, m);
        }
        return op;
    }

    private static int writeLength(byte[] dst, int op, int n) {
        if (n < 15) {
            return op;
        }
        int rest = n - 15;
        while (rest >= 255) {
            dst[op++] = (byte) 255;
            rest -= 255;
        }
        dst[op++] = (byte) rest;
        return op;
    }

    private static int read32(byte[] b, int at) {
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8) | ((b[at + 2] & 0xff) << 16) | ((b[at + 3] & 0xff) << 24);
    }

    private static int hash(int v) {
        return (v * -1640531535) >>> (32 - HASH_BITS);
    }
}
