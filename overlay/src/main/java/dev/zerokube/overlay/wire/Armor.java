package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.crypto.AesGmacSiv;
import dev.zerokube.overlay.crypto.AesKeys;
import dev.zerokube.overlay.crypto.Poly1305;
import dev.zerokube.overlay.crypto.Salsa20;
import java.util.Objects;

/**
 * Packet armor and dearmor for one peer key (ZT1-02 §4): cipher suites 0 (Poly1305 MAC only),
 * 1 (Salsa20/12 + Poly1305) and 3 (AES-GMAC-SIV) in place in a caller's buffer; suite 2 (trusted
 * path) is recognised and checked against a {@link TrustedPaths} table passed in. HELLO's
 * separately masked tail is {@link dev.zerokube.overlay.wire.verbs.Hello#cryptTail}.
 *
 * <pre>
 * cipher  encrypted   authenticated                                   MAC field [19..27)
 *   0     nothing     [27..n) by Poly1305; [0..19) minus hops and n    Poly1305 tag[0..8)
 *                     through the per-packet key ({@link #mangleKey})
 *   1     [27..n)     the same, over the ciphertext                   Poly1305 tag[0..8)
 *   2     nothing     nothing: the source IP is trusted                trusted path ID
 *   3     [27..n)     [8..19) with hops masked on receive, [27..n)    SIV[8..16); [0..8) = SIV[0..8)
 * </pre>
 *
 * <p>Quirks reproduced (vectors/README.md §12): the hop bits are never authenticated, so relays
 * may change them; but cipher 3 <em>armor</em> authenticates the flags byte as it is, so a packet
 * armored with hops set is rejected by every receiver (armor with hops 0). Cipher 1 sets the legacy
 * 0x80 flag, which the MAC covers.
 *
 * <p>An instance holds the peer key, its AES keys and all cipher state and scratch, so
 * {@link #armor} and {@link #dearmor} keep no per-call objects of their own and never throw for
 * bad input: they return a {@link Verdict}. Ciphers 0, 1 and 3 allocate nothing at all (ArmorTest
 * measures it), cipher 3 as long as its GMAC runs on the JDK's GHASH (the default where the JDK's
 * provider package is opened; see {@link dev.zerokube.overlay.crypto.Gmac}). Not thread-safe: one
 * instance per peer per thread.
 */
public final class Armor {
    /** Length of the per-peer key. */
    public static final int KEY_LENGTH = 48;
    /** Length of the per-packet Salsa20 key of ciphers 0 and 1. */
    public static final int MANGLED_KEY_LENGTH = 32;

    /** What dearmor made of a packet. Everything but {@link #AUTHENTICATED} is a silent drop. */
    public enum Verdict {
        /** Ciphers 0, 1, 3: MAC verified, payload decrypted in place; or cipher 2 accepted by the table. */
        AUTHENTICATED,
        /** Cipher 2 and no table given: the caller must check its trusted paths (ZT1-02 §11.3). */
        TRUSTED_PATH,
        /** Cipher 2 whose ID and source IP match no trusted network. */
        UNTRUSTED_PATH,
        /** The MAC (or the SIV) does not verify: tampered, truncated, or another key. */
        BAD_MAC,
        /** Cipher suites 4..7: undefined, 1.14.1 drops them as an invalid MAC. */
        UNKNOWN_CIPHER,
        /** Fewer than 28 bytes. */
        TOO_SHORT,
        /** More than {@link PacketHeader#MAX_LENGTH} bytes. */
        TOO_LONG
    }

    private static final int SALSA20_ROUNDS = 12;
    private static final int MAC_LENGTH = 8;
    /** Cipher 3 additional data: destination, source and flags, bytes [8..19). */
    private static final int AAD_LENGTH = PacketHeader.IDX_MAC - PacketHeader.IDX_DEST;

    private final byte[] key;
    private final Salsa20 salsa = new Salsa20(SALSA20_ROUNDS);
    private final AesGmacSiv siv;
    private final byte[] mangledKey = new byte[MANGLED_KEY_LENGTH];
    private final byte[] polyKey = new byte[32];
    private final byte[] tag = new byte[16];
    private final byte[] aad = new byte[AAD_LENGTH];

    /**
     * @param key the 48-byte per-peer key (ZT1-01 §10); the AES keys K0/K1 are derived from it
     *            (ZT1-01 §14)
     */
    public Armor(byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("peer key is " + key.length + " bytes, not 48");
        }
        this.key = key.clone();
        this.siv = new AesGmacSiv(AesKeys.derive(this.key));
    }

    /**
     * Armors {@code packet[off, off+len)} in place with {@code cipher} 0, 1 or 3: sets the cipher
     * bits (and 0x80 for cipher 1), then MACs and/or encrypts. Header, fragmented flag (see
     * {@link Fragmentation#markFragmented}) and final length must already be set; hops should be 0.
     * For cipher 3 bytes 0..7 are replaced by the SIV half that becomes the packet ID on the wire.
     *
     * @throws IllegalArgumentException for another cipher (use {@link #setTrustedPath} for 2) or a
     *                                  length outside 28..10024 (both are our own bugs)
     */
    public void armor(byte[] packet, int off, int len, int cipher) {
        Objects.checkFromIndexSize(off, len, packet.length);
        if (len < PacketHeader.MIN_LENGTH || len > PacketHeader.MAX_LENGTH) {
            throw new IllegalArgumentException("cannot armor a packet of " + len + " bytes");
        }
        switch (cipher) {
            case PacketHeader.CIPHER_POLY1305_NONE, PacketHeader.CIPHER_POLY1305_SALSA2012 -> {
                PacketHeader.setCipher(packet, off, cipher);
                startSalsa(packet, off, len);
                int body = off + PacketHeader.IDX_VERB;
                if (cipher == PacketHeader.CIPHER_POLY1305_SALSA2012) {
                    salsa.crypt(packet, body, packet, body, len - PacketHeader.IDX_VERB);
                }
                Poly1305.mac(polyKey, 0, packet, body, len - PacketHeader.IDX_VERB, tag, 0);
                System.arraycopy(tag, 0, packet, off + PacketHeader.IDX_MAC, MAC_LENGTH);
            }
            case PacketHeader.CIPHER_AES_GMAC_SIV -> {
                PacketHeader.setCipher(packet, off, cipher);
                // 1.14.1 authenticates the flags byte as it is, hop bits included (see class comment)
                int body = off + PacketHeader.IDX_VERB;
                siv.encrypt(packet, off + PacketHeader.IDX_PACKET_ID, packet, off + PacketHeader.IDX_DEST, AAD_LENGTH,
                        packet, body, packet, body, len - PacketHeader.IDX_VERB, tag, 0);
                System.arraycopy(tag, 0, packet, off + PacketHeader.IDX_PACKET_ID, 8);
                System.arraycopy(tag, 8, packet, off + PacketHeader.IDX_MAC, MAC_LENGTH);
            }
            default -> throw new IllegalArgumentException("armor does not do cipher suite " + cipher);
        }
    }

    /**
     * Checks and decrypts {@code packet[off, off+len)} in place. On {@link Verdict#AUTHENTICATED}
     * bytes 27.. hold the plaintext verb and payload (still LZ4-compressed if flagged, see
     * {@link Compression}); on any other verdict the packet must be dropped and bytes 27.. are
     * unspecified (cipher 3 decrypts before it can check).
     */
    public Verdict dearmor(byte[] packet, int off, int len) {
        Objects.checkFromIndexSize(off, len, packet.length);
        if (len < PacketHeader.MIN_LENGTH) {
            return Verdict.TOO_SHORT;
        }
        if (len > PacketHeader.MAX_LENGTH) {
            return Verdict.TOO_LONG;
        }
        int cipher = PacketHeader.cipher(packet, off);
        switch (cipher) {
            case PacketHeader.CIPHER_POLY1305_NONE, PacketHeader.CIPHER_POLY1305_SALSA2012 -> {
                startSalsa(packet, off, len);
                int body = off + PacketHeader.IDX_VERB;
                Poly1305.mac(polyKey, 0, packet, body, len - PacketHeader.IDX_VERB, tag, 0);
                if (!macEquals(tag, packet, off + PacketHeader.IDX_MAC)) {
                    return Verdict.BAD_MAC;
                }
                if (cipher == PacketHeader.CIPHER_POLY1305_SALSA2012) {
                    salsa.crypt(packet, body, packet, body, len - PacketHeader.IDX_VERB);
                }
                return Verdict.AUTHENTICATED;
            }
            case PacketHeader.CIPHER_TRUSTED_PATH -> {
                return Verdict.TRUSTED_PATH;
            }
            case PacketHeader.CIPHER_AES_GMAC_SIV -> {
                System.arraycopy(packet, off + PacketHeader.IDX_PACKET_ID, tag, 0, 8);
                System.arraycopy(packet, off + PacketHeader.IDX_MAC, tag, 8, MAC_LENGTH);
                System.arraycopy(packet, off + PacketHeader.IDX_DEST, aad, 0, AAD_LENGTH);
                aad[AAD_LENGTH - 1] &= (byte) ~PacketHeader.FLAGS_HOPS_MASK; // relays change hops
                int body = off + PacketHeader.IDX_VERB;
                return siv.decrypt(tag, 0, aad, 0, AAD_LENGTH, packet, body, packet, body, len - PacketHeader.IDX_VERB)
                        ? Verdict.AUTHENTICATED : Verdict.BAD_MAC;
            }
            default -> {
                return Verdict.UNKNOWN_CIPHER;
            }
        }
    }

    /**
     * {@link #dearmor(byte[], int, int)} with the trusted-path check of ZT1-02 §11.3 applied to
     * cipher 2: accepted iff {@code trusted} has a network with the packet's ID containing the
     * UDP source IP {@code fromIp[ipOff, ipOff+ipLen)} (4 or 16 bytes; for a reassembled packet,
     * the source of its head).
     */
    public Verdict dearmor(byte[] packet, int off, int len, TrustedPaths trusted, byte[] fromIp, int ipOff,
            int ipLen) {
        Verdict v = dearmor(packet, off, len);
        if (v != Verdict.TRUSTED_PATH) {
            return v;
        }
        return trusted.acceptsInbound(PacketHeader.trustedPathId(packet, off), fromIp, ipOff, ipLen)
                ? Verdict.AUTHENTICATED : Verdict.UNTRUSTED_PATH;
    }

    /**
     * "Armors" a packet for a trusted path (ZT1-02 §4.8, §11.2): cipher bits 2, 0x80 clear, the ID
     * big-endian in the MAC field; nothing is encrypted or MACed.
     */
    public static void setTrustedPath(byte[] packet, int off, long trustedPathId) {
        PacketHeader.setCipher(packet, off, PacketHeader.CIPHER_TRUSTED_PATH);
        PacketHeader.setMac(packet, off, trustedPathId);
    }

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

    /**
     * Per-packet key, nonce = packet ID, then keystream block 0: its first 32 bytes are the
     * Poly1305 key and the rest is discarded, so payload encryption continues from block 1.
     */
    private void startSalsa(byte[] packet, int off, int len) {
        mangleKey(key, 0, packet, off, len, mangledKey, 0);
        salsa.init(mangledKey, 0, packet, off + PacketHeader.IDX_PACKET_ID);
        salsa.stream(polyKey, 0, polyKey.length);
    }

    // Constant time over the 8 transmitted tag bytes.
    private static boolean macEquals(byte[] tag, byte[] packet, int at) {
        int diff = 0;
        for (int i = 0; i < MAC_LENGTH; i++) {
            diff |= tag[i] ^ packet[at + i];
        }
        return diff == 0;
    }
}
