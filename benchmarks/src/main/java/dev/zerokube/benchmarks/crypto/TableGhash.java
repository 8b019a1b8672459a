package dev.zerokube.benchmarks.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A table-driven GHASH in plain Java, kept only as the baseline that justifies computing GMAC with
 * the JDK's AES-GCM (docs/performance.md): 16 tables of 256 precomputed products (64 KiB per key),
 * one lookup per input byte and no reduction step, which is about the fastest shape GHASH takes
 * without a carry-less multiply instruction. Allocation-free per call.
 */
public final class TableGhash {
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** table[(position * 256 + byte) * 2 + {0: high, 1: low}] = (byte at position) · H. */
    private final long[] table = new long[16 * 256 * 2];
    private long yHigh;
    private long yLow;

    /** For the 16-byte hash key {@code h} (= AES_K(0^128) in GCM). */
    public TableGhash(byte[] h) {
        long hi = (long) BE_LONG.get(h, 0);
        long lo = (long) BE_LONG.get(h, 8);
        long[] powerHi = new long[128];
        long[] powerLo = new long[128];
        for (int k = 0; k < 128; k++) {
            powerHi[k] = hi;
            powerLo[k] = lo;
            long out = lo & 1;
            lo = (lo >>> 1) | (hi << 63);
            hi = (hi >>> 1) ^ (out != 0 ? 0xe100000000000000L : 0);
        }
        for (int position = 0; position < 16; position++) {
            for (int b = 1; b < 256; b++) {
                int lowest = Integer.numberOfTrailingZeros(b);
                int power = 8 * position + 7 - lowest;
                int rest = (position * 256 + (b & (b - 1))) * 2;
                int at = (position * 256 + b) * 2;
                table[at] = table[rest] ^ powerHi[power];
                table[at + 1] = table[rest + 1] ^ powerLo[power];
            }
        }
    }

    /** Starts a new hash. */
    public void reset() {
        yHigh = 0;
        yLow = 0;
    }

    /** Absorbs {@code len} bytes (a multiple of 16) from {@code data[off..)}. */
    public void update(byte[] data, int off, int len) {
        long[] t = table;
        long h = yHigh;
        long l = yLow;
        for (int end = off + len; off < end; off += 16) {
            h ^= (long) BE_LONG.get(data, off);
            l ^= (long) BE_LONG.get(data, off + 8);
            long rh = 0;
            long rl = 0;
            for (int i = 0; i < 8; i++) {
                int a = ((i << 8) | (int) (h >>> (56 - 8 * i)) & 0xff) << 1;
                int b = (((i + 8) << 8) | (int) (l >>> (56 - 8 * i)) & 0xff) << 1;
                rh ^= t[a] ^ t[b];
                rl ^= t[a + 1] ^ t[b + 1];
            }
            h = rh;
            l = rl;
        }
        yHigh = h;
        yLow = l;
    }

    /** Writes the current hash state (16 bytes) to {@code out[off..)}. */
    public void state(byte[] out, int off) {
        BE_LONG.set(out, off, yHigh);
        BE_LONG.set(out, off + 8, yLow);
    }
}
