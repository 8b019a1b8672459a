package dev.zerokube.overlay.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits one fuzz input into several byte strings, for targets that consume a sequence (e.g. the
 * datagrams handed to a reassembler): each piece is a 16-bit big-endian length followed by that
 * many bytes; a last piece whose length runs past the end takes what is left. Every input splits
 * into something, so the fuzzer never wastes an input on a framing error.
 */
final class Framing {
    private Framing() {}

    static List<byte[]> split(byte[] data, int maxPieces) {
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        while (at + 2 <= data.length && pieces.size() < maxPieces) {
            int len = ((data[at] & 0xff) << 8) | (data[at + 1] & 0xff);
            int from = at + 2;
            int to = Math.min(data.length, from + len);
            pieces.add(Arrays.copyOfRange(data, from, to));
            at = to;
        }
        return pieces;
    }

    static byte[] join(List<byte[]> pieces) {
        int total = 0;
        for (byte[] p : pieces) {
            total += 2 + p.length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : pieces) {
            out[at] = (byte) (p.length >>> 8);
            out[at + 1] = (byte) p.length;
            System.arraycopy(p, 0, out, at + 2, p.length);
            at += 2 + p.length;
        }
        return out;
    }
}
