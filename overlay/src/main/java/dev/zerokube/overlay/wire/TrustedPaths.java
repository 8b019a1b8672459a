package dev.zerokube.overlay.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The locally configured trusted physical networks of cipher suite 2 (ZT1-02 §11): on a network
 * listed here, packets carrying the network's 64-bit trusted path ID instead of a MAC are accepted
 * without any cryptography. Empty ({@link #NONE}) unless an operator configures it.
 *
 * <p>Receive rule (ZT1-02 §11.3, exactly as 1.14.1): a cipher-2 packet is accepted iff
 * <em>some</em> entry has its ID and contains the UDP source IP of the datagram (for a fragmented
 * packet, of its head). Send rule (§11.4): the ID of the entry containing the next hop's IP.
 *
 * <p>Configuration is validated more strictly than 1.14.1 does (ZT1-02 §11.6): prefix lengths in
 * range and non-zero, no host bits set, a non-zero ID, at most {@link #MAX_ENTRIES} entries, and
 * no two overlapping networks with different IDs (1.14.1's send and receive sides resolve such
 * overlaps differently, §15 item 35). With these rules first match and any match agree.
 *
 * <p>IP addresses are passed as raw bytes (4 for IPv4, 16 for IPv6) so that the receive path
 * needs no allocation. Immutable.
 */
public final class TrustedPaths {
    /** 1.14.1's limit on configured physical paths ({@code ZT_MAX_CONFIGURABLE_PATHS}). */
    public static final int MAX_ENTRIES = 32;

    /** No trusted paths: every cipher-2 packet is dropped. */
    public static final TrustedPaths NONE = new TrustedPaths(new Network[0]);

    /**
     * One trusted network.
     *
     * @param address        network address, 4 (IPv4) or 16 (IPv6) bytes, host bits zero
     * @param bits           prefix length, 1..32 or 1..128
     * @param trustedPathId  the shared 64-bit ID, non-zero
     */
    public record Network(byte[] address, int bits, long trustedPathId) {
        public Network {
            Objects.requireNonNull(address, "address");
            if (address.length != 4 && address.length != 16) {
                throw new IllegalArgumentException("trusted network address must be 4 or 16 bytes");
            }
            if (bits < 1 || bits > address.length * 8) {
                throw new IllegalArgumentException("trusted network prefix /" + bits + " out of range");
            }
            if (trustedPathId == 0) {
                throw new IllegalArgumentException("trusted path ID 0 means untrusted");
            }
            address = address.clone();
            for (int i = 0; i < address.length; i++) {
                if ((address[i] & 0xff & ~mask(bits, i)) != 0) {
                    throw new IllegalArgumentException("trusted network has host bits set beyond /" + bits);
                }
            }
        }

        @Override
        public byte[] address() {
            return address.clone();
        }

        /** Whether {@code ip[off, off+len)} (4 or 16 bytes, same family) lies in this network. */
        public boolean contains(byte[] ip, int off, int len) {
            if (len != address.length) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                int m = mask(bits, i);
                if (m == 0) {
                    return true;
                }
                if (((ip[off + i] ^ address[i]) & m) != 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Network n && n.bits == bits && n.trustedPathId == trustedPathId
                    && Arrays.equals(n.address, address);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(address) * 31 + bits + Long.hashCode(trustedPathId);
        }

        @Override
        public String toString() {
            return "Network[" + Arrays.toString(address) + "/" + bits + ", id=" + Long.toUnsignedString(trustedPathId) + "]";
        }

        private static int mask(int bits, int byteIndex) {
            int left = bits - byteIndex * 8;
            return left >= 8 ? 0xff : left <= 0 ? 0 : (0xff << (8 - left)) & 0xff;
        }
    }

    private final Network[] networks;

    private TrustedPaths(Network[] networks) {
        this.networks = networks;
    }

    /**
     * A validated table.
     *
     * @throws IllegalArgumentException on more than {@link #MAX_ENTRIES} entries or overlapping
     *                                  networks with different IDs
     */
    public static TrustedPaths of(List<Network> networks) {
        if (networks.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(networks.size() + " trusted networks, at most " + MAX_ENTRIES);
        }
        List<Network> sorted = new ArrayList<>(networks);
        // 1.14.1's table order: IPv4 first, then by prefix length ascending
        sorted.sort(Comparator.comparingInt((Network n) -> n.address.length).thenComparingInt(Network::bits));
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                Network wide = sorted.get(i);
                Network narrow = sorted.get(j);
                if (wide.contains(narrow.address, 0, narrow.address.length)
                        && wide.trustedPathId != narrow.trustedPathId) {
                    throw new IllegalArgumentException("overlapping trusted networks with different IDs: "
                            + wide + " and " + narrow);
                }
            }
        }
        return new TrustedPaths(sorted.toArray(Network[]::new));
    }

    /** The networks in table order. */
    public List<Network> networks() {
        return List.of(networks);
    }

    /**
     * The receive check of ZT1-02 §11.3: whether a cipher-2 packet carrying {@code trustedPathId}
     * that arrived from {@code fromIp[off, off+len)} is accepted.
     */
    public boolean acceptsInbound(long trustedPathId, byte[] fromIp, int off, int len) {
        for (Network n : networks) {
            if (n.trustedPathId == trustedPathId && n.contains(fromIp, off, len)) {
                return true;
            }
        }
        return false;
    }

    /** The ID to send with to next hop {@code ip} through {@code Switch}-style sends, or 0 (armor normally). */
    public long outboundId(byte[] ip, int off, int len) {
        for (Network n : networks) {
            if (n.contains(ip, off, len)) {
                return n.trustedPathId;
            }
        }
        return 0;
    }

    public boolean isEmpty() {
        return networks.length == 0;
    }

    @Override
    public String toString() {
        return "TrustedPaths" + List.of(networks);
    }
}
