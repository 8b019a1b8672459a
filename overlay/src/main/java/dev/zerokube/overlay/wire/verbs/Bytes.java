package dev.zerokube.overlay.wire.verbs;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Array helpers for the payload records, which must copy and compare arrays by content. */
final class Bytes {
    private static final HexFormat HEX = HexFormat.of();

    private Bytes() {}

    /** A copy, or null for null. */
    static byte[] copy(byte[] b) {
        return b == null ? null : b.clone();
    }

    /** A deep, unmodifiable copy of a list of arrays; elements must not be null. */
    static List<byte[]> copyAll(List<byte[]> list, String what) {
        if (list == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        return list.stream().map(b -> {
            if (b == null) {
                throw new IllegalArgumentException(what + " holds a null element");
            }
            return b.clone();
        }).toList();
    }

    static boolean equal(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static int hash(List<byte[]> list) {
        int h = 1;
        for (byte[] b : list) {
            h = 31 * h + Arrays.hashCode(b);
        }
        return h;
    }

    /** Hex for toString, shortened past 64 bytes; "null" for null. */
    static String hex(byte[] b) {
        if (b == null) {
            return "null";
        }
        if (b.length <= 64) {
            return HEX.formatHex(b);
        }
        return HEX.formatHex(b, 0, 64) + "...(" + b.length + " bytes)";
    }

    static String hex(List<byte[]> list) {
        return list.stream().map(Bytes::hex).toList().toString();
    }

    static void requireU16Length(byte[] b, String what) {
        if (b.length > 0xffff) {
            throw new IllegalArgumentException(what + " is " + b.length + " bytes; its length field holds 65535");
        }
    }

    static void requireU8(int v, String what) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(what + " must fit in 8 bits: " + v);
        }
    }

    static void requireU16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " must fit in 16 bits: " + v);
        }
    }

    static void requireU32(long v, String what) {
        if ((v & ~0xffff_ffffL) != 0) {
            throw new IllegalArgumentException(what + " must fit in 32 bits: " + v);
        }
    }
}
