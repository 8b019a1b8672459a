package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.TrustedPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code local.conf}'s {@code physical} object into the node's trusted paths (ZT1-02 §11.1,
 * ZT1-07 §7): {@code {"10.0.0.0/8": {"trustedPathId": 101}}}. The ID is a JSON number or a
 * decimal string (as 1.14.1 reads it; a string also carries IDs above 2^63), and an entry
 * without one, or with 0, trusts nothing. {@code mtu} and {@code blacklist} are not honoured.
 *
 * <p>Stricter than 1.14.1, which accepts all of these and then behaves surprisingly (§11.6): a
 * network without a prefix length (1.14.1 takes it for every IPv4 address), a prefix out of range
 * or with host bits set (in any entry), more than 32 trusted entries, overlapping trusted networks
 * with different IDs,
 * and an entry without an ID that contains a trusted one (1.14.1 would send to the narrower
 * network encrypted after all, since its first match is the wider entry) are each refused with
 * the reason, and the node does not start.
 */
final class PhysicalPaths {
    private PhysicalPaths() {}

    /**
     * The trusted paths {@code physical} (the parsed JSON value, or null when absent) configures.
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    static TrustedPaths trustedPaths(Object physical) {
        if (physical == null) {
            return TrustedPaths.NONE;
        }
        if (!(physical instanceof Map<?, ?> entries)) {
            throw new IllegalArgumentException("local.conf physical must be an object of networks");
        }
        List<TrustedPaths.Network> trusted = new ArrayList<>();
        List<TrustedPaths.Network> untrusted = new ArrayList<>(); // ID 1 stands in: only their networks matter
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> settings)) {
                throw new IllegalArgumentException("local.conf physical." + key + " must be an object");
            }
            long id = trustedPathId(key, settings.get("trustedPathId"));
            (id == 0 ? untrusted : trusted).add(network(key, id == 0 ? 1 : id));
        }
        TrustedPaths paths;
        try {
            paths = TrustedPaths.of(trusted);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("local.conf physical: " + ex.getMessage(), ex);
        }
        for (TrustedPaths.Network wide : untrusted) {
            for (TrustedPaths.Network n : trusted) {
                byte[] ip = n.address();
                if (wide.bits() <= n.bits() && wide.contains(ip, 0, ip.length)) {
                    throw new IllegalArgumentException("local.conf physical." + text(wide) + " has no trustedPathId but"
                            + " contains the trusted network " + text(n) + ": ZeroTier One would send to that network"
                            + " encrypted after all; give both the same ID or remove one");
                }
            }
        }
        return paths;
    }

    private static long trustedPathId(String key, Object v) {
        return switch (v) {
            case null -> 0;
            case Long n -> n;
            case Boolean b -> b ? 1 : 0;
            case String s -> {
                try {
                    yield Long.parseUnsignedLong(s.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("local.conf physical." + key + ".trustedPathId \"" + s
                            + "\" is not a decimal number");
                }
            }
            default -> throw new IllegalArgumentException("local.conf physical." + key
                    + ".trustedPathId must be a whole number");
        };
    }

    private static TrustedPaths.Network network(String key, long id) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("local.conf physical." + key + " has no prefix length (e.g. /24):"
                    + " ZeroTier One would take it for every IPv4 address");
        }
        byte[] address;
        int bits;
        try {
            address = InetEndpoint.parseIp(key.substring(0, slash));
            bits = Integer.parseInt(key.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("local.conf physical." + key + " is not a network like 10.0.0.0/8");
        }
        try {
            return new TrustedPaths.Network(address, bits, id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("local.conf physical." + key + ": " + e.getMessage(), e);
        }
    }

    private static String text(TrustedPaths.Network n) {
        return InetEndpoint.of(n.address(), 0).ipString() + "/" + n.bits();
    }
}
