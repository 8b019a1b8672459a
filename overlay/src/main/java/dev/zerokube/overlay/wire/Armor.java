package dev.zerokube.overlay.wire;

import java.util.Objects;

/**
 * Packet armor and dearmor (ZT1-02 §4).
 */
public final class Armor {
    /** Length of the per-packet Salsa20 key of ciphers 0 and 1. */
    public static final int MANGLED_KEY_LENGTH = 32;

    private Armor() {}

    /**
     * The per-packet Salsa20/12 key of ciphers 0 and 1 (ZT1-02 §4.2): {@code key[0..32)} mixed with
     * the packet ID, destination and source ({@code header[0..18)}), the flags byte with the hop
     * bits masked, and the total packet length (little-endian, two bytes). {@code header} must hold
     * at least the first 19 bytes of the packet as it is at armor/dearmor time (cipher bits set,
     * size final).
     *
     * @param key          the 48-byte per-peer key (only its first 32 bytes are used)
     * @param packetLength total packet length {@code n}
     * @param out          receives 32 bytes at {@code outOff}
     */
    public static void mangleKey(byte[] key, int keyOff, byte[] header, int headerOff, int packetLength,
            byte[] out, int outOff) {
        Objects.checkFromIndexSize(keyOff, MANGLED_KEY_LENGTH, key.length);
        Objects.checkFromIndexSize(headerOff, PacketHeader.IDX_MAC, header.length);
        Objects.checkFromIndexSize(outOff, MANGLED_KEY_LENGTH, out.length);
        for (int i = 0; i < PacketHeader.IDX_FLAGS; i++) {
            out[outOff + i] = (byte) (key[keyOff + i] ^ header[headerOff + i]);
        }
        out[outOff + 18] = (byte) (key[keyOff + 18] ^ (header[headerOff + PacketHeader.IDX_FLAGS] & 0xf8));
        out[outOff + 19] = (byte) (key[keyOff + 19] ^ packetLength);
        out[outOff + 20] = (byte) (key[keyOff + 20] ^ (packetLength >>> 8));
        System.arraycopy(key, keyOff + 21, out, outOff + 21, MANGLED_KEY_LENGTH - 21);
    }
}
