package dev.zerokube.overlay.wire.netconf;

import dev.zerokube.overlay.wire.Dictionary;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata dictionary a member sends in NETWORK_CONFIG_REQUEST (ZT1-04 §2, ZT1-03 §4.12):
 * what the requesting node is and what it can take.
 *
 * <pre>
 * v=&lt;hex16&gt;     network config format version the node understands (1.14.1: 7)
 * vend=&lt;hex16&gt;  vendor (1 = ZeroTier)
 * pv=&lt;hex16&gt;    protocol version (12)
 * majv, minv, revv=&lt;hex16&gt;   software version (1, 14, 1)
 * mr, mc, mcr, mt=&lt;hex16&gt;     max rules (1024), capabilities (128), rules per capability (64), tags (128)
 * f=&lt;hex16&gt;     request flags (0)
 * revr=&lt;hex16&gt;  rules engine revision (1); missing or 0: the controller sends a single ACCEPT rule
 * o=&lt;text&gt;      platform/arch, e.g. linux/x86_64
 * a=&lt;text&gt;      join credential "token:&lt;token&gt;" (never sent by 1.14.1; read by its controller)
 * </pre>
 *
 * <p>{@link #encode} writes the keys in this order, integers as 16 hex digits, {@code a} only when
 * present: for {@link #zeroTier1141} that is byte for byte what a 1.14.1 node sends. Decoding
 * reads like the 1.14.1 controller (a missing integer is 0; the dictionary is cut to its 1024-byte
 * capacity without error), so it never fails.
 *
 * @param configVersion {@code v}
 * @param vendor {@code vend}
 * @param protocolVersion {@code pv}
 * @param majorVersion {@code majv}
 * @param minorVersion {@code minv}
 * @param revision {@code revv}
 * @param maxNetworkRules {@code mr}
 * @param maxCapabilities {@code mc}
 * @param maxCapabilityRules {@code mcr}
 * @param maxTags {@code mt}
 * @param flags {@code f}
 * @param rulesEngineRevision {@code revr}
 * @param osArch {@code o} (empty when absent)
 * @param auth {@code a}, the raw join credential (see {@link #authToken()})
 */
public record ConfigRequestMetadata(
        long configVersion, long vendor, long protocolVersion, long majorVersion, long minorVersion, long revision,
        long maxNetworkRules, long maxCapabilities, long maxCapabilityRules, long maxTags, long flags,
        long rulesEngineRevision, String osArch, Optional<String> auth) {

    /** ZeroTier's vendor number. */
    public static final long VENDOR_ZEROTIER = 1;
    /** {@code ZT_RULES_ENGINE_REVISION} of 1.14.1. */
    public static final long RULES_ENGINE_REVISION = 1;
    /** Prefix of a join token in {@code a}. */
    public static final String TOKEN_PREFIX = "token:";
    /** The 1.14.1 controller reads {@code a} into 512 bytes. */
    private static final int AUTH_BUFFER = 512;

    public ConfigRequestMetadata {
        Objects.requireNonNull(osArch, "osArch");
        Objects.requireNonNull(auth, "auth");
    }

    /** What a ZeroTier One 1.14.1 node sends (ZT1-04 §2), with its {@code o} value. */
    public static ConfigRequestMetadata zeroTier1141(String osArch) {
        return new ConfigRequestMetadata(NetworkConfig.VERSION, VENDOR_ZEROTIER, 12, 1, 14, 1,
                1024, 128, 64, 128, 0, RULES_ENGINE_REVISION, osArch, Optional.empty());
    }

    /** The same metadata presenting a join token ({@code a=token:<token>}). */
    public ConfigRequestMetadata withAuthToken(String token) {
        return new ConfigRequestMetadata(configVersion, vendor, protocolVersion, majorVersion, minorVersion,
                revision, maxNetworkRules, maxCapabilities, maxCapabilityRules, maxTags, flags, rulesEngineRevision,
                osArch, Optional.of(TOKEN_PREFIX + token));
    }

    /**
     * The join token, read as the 1.14.1 controller reads it: {@code a} starts with
     * {@code token:} and has at least one more character.
     */
    public Optional<String> authToken() {
        return auth.filter(a -> a.length() > TOKEN_PREFIX.length() && a.startsWith(TOKEN_PREFIX))
                .map(a -> a.substring(TOKEN_PREFIX.length()));
    }

    /** Reads received metadata bytes (never fails: bytes beyond 1023 or after a NUL are ignored). */
    public static ConfigRequestMetadata decode(byte[] bytes) {
        return from(Dictionary.of(bytes, Dictionary.CONFIG_REQUEST_METADATA_CAPACITY));
    }

    /** Reads the metadata keys of a dictionary; other keys are ignored. */
    public static ConfigRequestMetadata from(Dictionary d) {
        return new ConfigRequestMetadata(
                d.getUnsigned("v", 0), d.getUnsigned("vend", 0), d.getUnsigned("pv", 0),
                d.getUnsigned("majv", 0), d.getUnsigned("minv", 0), d.getUnsigned("revv", 0),
                d.getUnsigned("mr", 0), d.getUnsigned("mc", 0), d.getUnsigned("mcr", 0), d.getUnsigned("mt", 0),
                d.getUnsigned("f", 0), d.getUnsigned("revr", 0),
                d.getText("o", d.capacity()).orElse(""), d.getText("a", AUTH_BUFFER));
    }

    /**
     * The dictionary in 1.14.1's key order.
     *
     * @throws IllegalStateException if the text does not fit the 1024-byte capacity (only a very
     *     long {@code o} or {@code a} can cause it), or if {@code a} is longer than the 511 bytes a
     *     1.14.1 controller reads of it (it would be cut, i.e. present another credential)
     */
    public Dictionary toDictionary() {
        if (auth.isPresent() && cStringBytes(auth.get()) > AUTH_BUFFER - 1) {
            throw new IllegalStateException("config request metadata: a (" + cStringBytes(auth.get())
                    + " bytes) is longer than the " + (AUTH_BUFFER - 1) + " bytes a controller reads");
        }
        Dictionary.Builder b = Dictionary.builder(Dictionary.CONFIG_REQUEST_METADATA_CAPACITY);
        boolean ok = b.addUnsigned("v", configVersion)
                && b.addUnsigned("vend", vendor)
                && b.addUnsigned("pv", protocolVersion)
                && b.addUnsigned("majv", majorVersion)
                && b.addUnsigned("minv", minorVersion)
                && b.addUnsigned("revv", revision)
                && b.addUnsigned("mr", maxNetworkRules)
                && b.addUnsigned("mc", maxCapabilities)
                && b.addUnsigned("mcr", maxCapabilityRules)
                && b.addUnsigned("mt", maxTags)
                && b.addUnsigned("f", flags)
                && b.addUnsigned("revr", rulesEngineRevision)
                && b.add("o", osArch)
                && (auth.isEmpty() || b.add("a", auth.get()));
        if (!ok) {
            throw new IllegalStateException("config request metadata exceeds "
                    + Dictionary.CONFIG_REQUEST_METADATA_CAPACITY + " bytes");
        }
        return b.build();
    }

    // What the dictionary writes of a text value: its UTF-8 bytes up to the first NUL.
    private static int cStringBytes(String text) {
        int nul = text.indexOf('\0');
        return (nul < 0 ? text : text.substring(0, nul)).getBytes(StandardCharsets.UTF_8).length;
    }

    /** The dictionary text, as carried in NETWORK_CONFIG_REQUEST after its 16-bit length. */
    public byte[] encode() {
        return toDictionary().encode();
    }
}
