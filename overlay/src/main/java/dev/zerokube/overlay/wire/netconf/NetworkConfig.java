package dev.zerokube.overlay.wire.netconf;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.Dictionary;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A network configuration as a controller issues it to one member (ZT1-04 §3): immutable, decoded
 * from and encoded to the {@link Dictionary} text that travels in NETWORK_CONFIG chunks and is
 * stored in {@code networks.d/<nwid>.conf}.
 *
 * <pre>
 * key    field                          encoding (hex16 = 16 hex digits, addr10 = 10)
 * v      format version, always 7       hex16; a config below 6 (legacy) is refused
 * nwid   network id                     hex16; 0 or missing is refused
 * ts     timestamp (controller ms)      hex16 of an int64 (sign lost when negative)
 * ctmd   credential time max delta ms   hex16 of an int64
 * r      revision                       hex16
 * id     issued to                      addr10; 0 or missing is refused
 * tt     remote trace target            addr10, 0000000000 = none
 * tl     remote trace level             hex16
 * f      flags (FLAG_*)                 hex16
 * ml     multicast limit                hex16
 * t      type, 0 private 1 public       hex16
 * n      name, at most 127 bytes        text
 * mtu    MTU, read clamped to 1280..10000   hex16
 * C      CertificateOfMembership        binary, if any
 * CAP    capabilities, concatenated     binary, if any (read: sorted by id, a bad one ends the list)
 * TAG    tags, concatenated             binary, if any (read: sorted by id, a bad one ends the list)
 * COO    certificates of ownership      binary, if any (read: at most 4 kept)
 * S      specialists, 8 bytes each      binary, if any (read: at most 256)
 * RT     routes ({@link Route})         binary, if any (read: at most 128)
 * I      static IPs, port = prefix bits binary, if any (read: at most 32)
 * R      base rule table (ZT1-06 §4.1)  binary, if any rule (read: at most 1024)
 * DNS    {@link Dns}                    binary, always
 * ssov   SSO version                    hex16 } only for SSO version 0 or 1
 * ssoe   SSO enabled                    1/0   }
 *   v0, enabled:  aurl (text, if not empty), aexpt (hex16)
 *   v1:           iurl, ssoce, sson, ssos, ssocid, ssop (text, always)
 * </pre>
 *
 * <p>{@link #toDictionary} writes these keys in this order with 1.14.1's formats, so the bytes are
 * exactly those of a 1.14.1 controller for the same values. {@link #from(Dictionary)} reads what
 * 1.14.1's {@code NetworkConfig::fromDictionary} reads: absent keys take its defaults, unknown keys
 * are ignored, numbers are cut to the widths of its fields (40-bit addresses, 32-bit level, limit,
 * type and MTU), text is cut to its buffers, and malformed {@code C}, {@code COO}, {@code RT},
 * {@code I}, {@code R} or {@code DNS} values refuse the whole config. One deliberate difference: a
 * config with more than 128 capabilities or tags is refused, where 1.14.1 writes past its table.
 *
 * <p>Some values do not survive encode-then-decode, because 1.14.1 does not write or does not read
 * them back: a negative timestamp or delta loses its sign; {@code aexpt} ≥ 2^63 reads as 2^63 − 1;
 * with SSO version 0 the v1 fields are not written (and the provider reads back as
 * {@code default}); with SSO version 0 and SSO off, {@code aurl}/{@code aexpt} are not written;
 * with version 1 {@code aurl}/{@code aexpt} are not written, and with SSO off every SSO text reads
 * back empty; with any other SSO version neither {@code ssov} nor {@code ssoe} is written.
 * Capabilities and tags read back sorted by id.
 *
 * <p>Text values are kept as the bytes received (so a config re-encodes byte for byte) and handed
 * out as UTF-8 strings.
 */
public final class NetworkConfig {
    /** The format version written ({@code ZT_NETWORKCONFIG_VERSION}). */
    public static final long VERSION = 7;
    /** Configs below this version are the legacy format, which 1.14.1 refuses. */
    public static final long VERSION_MIN = 6;

    /** Flag: deliver and send Ethernet broadcast. */
    public static final long FLAG_ENABLE_BROADCAST = 0x02;
    /** Flag: answer IPv6 NDP locally for RFC 4193 and 6PLANE addresses. */
    public static final long FLAG_ENABLE_IPV6_NDP_EMULATION = 0x04;
    /** Flag: unknown MATCH rule types match. */
    public static final long FLAG_RULES_RESULT_OF_UNSUPPORTED_MATCH = 0x08;
    /** Flag: do not compress MULTICAST_FRAME. */
    public static final long FLAG_DISABLE_COMPRESSION = 0x10;

    public static final long TYPE_PRIVATE = 0;
    public static final long TYPE_PUBLIC = 1;

    public static final int MTU_DEFAULT = 2800;
    public static final int MTU_MIN = 1280;
    public static final int MTU_MAX = 10_000;

    /** Controller default for {@code ctmd} (30 min); the controller clamps it to [MIN, MAX]. */
    public static final long CREDENTIAL_TIME_MAX_DELTA_DEFAULT_MS = 1_800_000;
    public static final long CREDENTIAL_TIME_MAX_DELTA_MIN_MS = 300_000;
    public static final long CREDENTIAL_TIME_MAX_DELTA_MAX_MS = 7_200_000;

    public static final int SPECIALISTS_MAX = 256;
    public static final int ROUTES_MAX = 128;
    public static final int STATIC_IPS_MAX = 32;
    public static final int RULES_MAX = 1024;
    public static final int CAPABILITIES_MAX = 128;
    public static final int TAGS_MAX = 128;
    public static final int CERTIFICATES_OF_OWNERSHIP_MAX = 4;

    /** SSO version 0: implicit flow ({@code aurl}, {@code aexpt}). */
    public static final long SSO_VERSION_IMPLICIT = 0;
    /** SSO version 1: OIDC flow ({@code iurl}, {@code ssoce}, …). */
    public static final long SSO_VERSION_OIDC = 1;
    /** The SSO provider name a node assumes when none is given. */
    public static final String SSO_PROVIDER_DEFAULT = "default";

    // Buffer sizes of 1.14.1's text fields (bytes including the NUL): values are cut to size - 1.
    static final int NAME_BUFFER = 128;
    static final int URL_BUFFER = 2048;
    static final int SSO_NONCE_BUFFER = 128;
    static final int SSO_STATE_BUFFER = 256;
    static final int SSO_CLIENT_ID_BUFFER = 256;
    static final int SSO_PROVIDER_BUFFER = 64;

    private static final long U32 = 0xffff_ffffL;
    private static final String CONTEXT = "NetworkConfig: ";
    private static final byte[] DEFAULT_PROVIDER = SSO_PROVIDER_DEFAULT.getBytes(StandardCharsets.US_ASCII);

    private final NetworkId networkId;
    private final long timestampMs;
    private final long credentialTimeMaxDeltaMs;
    private final long revision;
    private final Address issuedTo;
    private final Address remoteTraceTarget;
    private final long remoteTraceLevel;
    private final long flags;
    private final long multicastLimit;
    private final long type;
    private final byte[] name;
    private final int mtu;
    private final CertificateOfMembership certificateOfMembership;
    private final List<Capability> capabilities;
    private final List<Tag> tags;
    private final List<CertificateOfOwnership> certificatesOfOwnership;
    private final List<Specialist> specialists;
    private final List<Route> routes;
    private final List<InetEndpoint> staticIps;
    private final List<RuleEntry> rules;
    private final Dns dns;
    private final long ssoVersion;
    private final boolean ssoEnabled;
    private final byte[] authenticationUrl;
    private final long authenticationExpiryTimeMs;
    private final byte[] issuerUrl;
    private final byte[] centralAuthUrl;
    private final byte[] ssoNonce;
    private final byte[] ssoState;
    private final byte[] ssoClientId;
    private final byte[] ssoProvider;

    private NetworkConfig(Builder b) {
        networkId = Objects.requireNonNull(b.networkId, "networkId");
        if (networkId.value() == 0) {
            throw new IllegalArgumentException("network id 0 is refused by every node");
        }
        issuedTo = Objects.requireNonNull(b.issuedTo, "issuedTo");
        if (issuedTo.value() == 0) {
            throw new IllegalArgumentException("issued-to address 0 is refused by every node");
        }
        remoteTraceTarget = Objects.requireNonNull(b.remoteTraceTarget, "remoteTraceTarget");
        timestampMs = b.timestampMs;
        credentialTimeMaxDeltaMs = b.credentialTimeMaxDeltaMs;
        revision = b.revision;
        remoteTraceLevel = u32(b.remoteTraceLevel, "remote trace level");
        flags = b.flags;
        multicastLimit = u32(b.multicastLimit, "multicast limit");
        type = u32(b.type, "type");
        name = text(b.name, NAME_BUFFER, "name");
        if (b.mtu < MTU_MIN || b.mtu > MTU_MAX) {
            throw new IllegalArgumentException("MTU " + b.mtu + " outside " + MTU_MIN + ".." + MTU_MAX);
        }
        mtu = b.mtu;
        certificateOfMembership = b.certificateOfMembership;
        capabilities = bounded(b.capabilities, CAPABILITIES_MAX, "capabilities");
        tags = bounded(b.tags, TAGS_MAX, "tags");
        certificatesOfOwnership = bounded(b.certificatesOfOwnership, CERTIFICATES_OF_OWNERSHIP_MAX,
                "certificates of ownership");
        specialists = bounded(b.specialists, SPECIALISTS_MAX, "specialists");
        routes = bounded(b.routes, ROUTES_MAX, "routes");
        staticIps = bounded(b.staticIps, STATIC_IPS_MAX, "static IPs");
        rules = bounded(b.rules, RULES_MAX, "rules");
        dns = Objects.requireNonNull(b.dns, "dns");
        ssoVersion = b.ssoVersion;
        ssoEnabled = b.ssoEnabled;
        authenticationUrl = text(b.authenticationUrl, URL_BUFFER, "authentication URL");
        authenticationExpiryTimeMs = b.authenticationExpiryTimeMs;
        issuerUrl = text(b.issuerUrl, URL_BUFFER, "issuer URL");
        centralAuthUrl = text(b.centralAuthUrl, URL_BUFFER, "central auth URL");
        ssoNonce = text(b.ssoNonce, SSO_NONCE_BUFFER, "SSO nonce");
        ssoState = text(b.ssoState, SSO_STATE_BUFFER, "SSO state");
        ssoClientId = text(b.ssoClientId, SSO_CLIENT_ID_BUFFER, "SSO client id");
        ssoProvider = text(b.ssoProvider, SSO_PROVIDER_BUFFER, "SSO provider");
    }

    private static long u32(long v, String what) {
        if ((v & ~U32) != 0) {
            throw new IllegalArgumentException(what + " " + v + " is not a 32-bit unsigned value");
        }
        return v;
    }

    private static byte[] text(byte[] v, int buffer, String what) {
        if (v.length > buffer - 1) {
            throw new IllegalArgumentException(what + " has " + v.length + " bytes, at most " + (buffer - 1));
        }
        for (byte c : v) {
            if (c == 0) {
                throw new IllegalArgumentException(what + " contains NUL");
            }
        }
        return v.clone();
    }

    private static <T> List<T> bounded(List<T> in, int max, String what) {
        if (in.size() > max) {
            throw new IllegalArgumentException(in.size() + " " + what + ", at most " + max);
        }
        return List.copyOf(in);
    }

    // ---------------------------------------------------------------- accessors

    public NetworkId networkId() {
        return networkId;
    }

    /** {@code ts}: when the controller issued the config (its clock, ms since the epoch). */
    public long timestampMs() {
        return timestampMs;
    }

    /** {@code ctmd}: how far credential timestamps may differ for them to agree. */
    public long credentialTimeMaxDeltaMs() {
        return credentialTimeMaxDeltaMs;
    }

    /** {@code r}: the network's revision (unsigned 64-bit). */
    public long revision() {
        return revision;
    }

    /** {@code id}: the member this config is for; a node ignores a config not for itself. */
    public Address issuedTo() {
        return issuedTo;
    }

    /** {@code tt}: where to send REMOTE_TRACE, {@link Address#NONE} for nowhere. */
    public Address remoteTraceTarget() {
        return remoteTraceTarget;
    }

    /** {@code tl}: 0 normal, 10 verbose, 15 rules, 20 debug, 30 insane (unsigned 32-bit). */
    public long remoteTraceLevel() {
        return remoteTraceLevel;
    }

    /** {@code f}: the {@code FLAG_*} bits. */
    public long flags() {
        return flags;
    }

    public boolean enableBroadcast() {
        return (flags & FLAG_ENABLE_BROADCAST) != 0;
    }

    public boolean ndpEmulation() {
        return (flags & FLAG_ENABLE_IPV6_NDP_EMULATION) != 0;
    }

    public boolean rulesResultOfUnsupportedMatch() {
        return (flags & FLAG_RULES_RESULT_OF_UNSUPPORTED_MATCH) != 0;
    }

    public boolean disableCompression() {
        return (flags & FLAG_DISABLE_COMPRESSION) != 0;
    }

    /** {@code ml}: recipients a multicast is sent to; 0 disables multicast (unsigned 32-bit). */
    public long multicastLimit() {
        return multicastLimit;
    }

    /** {@code t}: {@link #TYPE_PRIVATE} or {@link #TYPE_PUBLIC} (unsigned 32-bit as received). */
    public long type() {
        return type;
    }

    public boolean isPrivate() {
        return type == TYPE_PRIVATE;
    }

    public boolean isPublic() {
        return type == TYPE_PUBLIC;
    }

    /** {@code n}: the network's short name (UTF-8). */
    public String name() {
        return utf8(name);
    }

    /** {@code n} as bytes (a copy): at most 127, as 1.14.1 keeps them. */
    public byte[] nameBytes() {
        return name.clone();
    }

    /** {@code mtu}, within {@link #MTU_MIN}..{@link #MTU_MAX}. */
    public int mtu() {
        return mtu;
    }

    /** {@code C}: the member's own certificate of membership, if the config has one. */
    public Optional<CertificateOfMembership> certificateOfMembership() {
        return Optional.ofNullable(certificateOfMembership);
    }

    /** {@code CAP}: the member's capabilities (a decoded config has them sorted by id). */
    public List<Capability> capabilities() {
        return capabilities;
    }

    /** The capability with this id (the first, if several), as 1.14.1's lookup finds it. */
    public Optional<Capability> capability(long id) {
        return capabilities.stream().filter(c -> c.id() == id).findFirst();
    }

    /** {@code TAG}: the member's tags (a decoded config has them sorted by id). */
    public List<Tag> tags() {
        return tags;
    }

    /** The tag with this id (the first, if several). */
    public Optional<Tag> tag(long id) {
        return tags.stream().filter(t -> t.id() == id).findFirst();
    }

    /** {@code COO}: the member's certificates of ownership (at most 4). */
    public List<CertificateOfOwnership> certificatesOfOwnership() {
        return certificatesOfOwnership;
    }

    /** {@code S}: specialists in the order given. */
    public List<Specialist> specialists() {
        return specialists;
    }

    /** Addresses of specialists with the {@link Specialist#ACTIVE_BRIDGE} role. */
    public List<Address> activeBridges() {
        return specialists.stream().filter(Specialist::isActiveBridge).map(Specialist::address).toList();
    }

    /** Anchors and multicast replicators: peers a member keeps in touch with. */
    public List<Address> alwaysContactAddresses() {
        return specialists.stream().filter(s -> s.isAnchor() || s.isMulticastReplicator())
                .map(Specialist::address).toList();
    }

    /** {@code RT}: managed routes in the order given. */
    public List<Route> routes() {
        return routes;
    }

    /** {@code I}: the member's assigned addresses; each port is the prefix length. */
    public List<InetEndpoint> staticIps() {
        return staticIps;
    }

    /** {@code R}: the base rule table (ZT1-06); empty if none. */
    public List<RuleEntry> rules() {
        return rules;
    }

    /** {@code DNS}: search domain and servers ({@link Dns#NONE} if none). */
    public Dns dns() {
        return dns;
    }

    /** {@code ssov}: 0 implicit flow, 1 OIDC. */
    public long ssoVersion() {
        return ssoVersion;
    }

    /** {@code ssoe}. */
    public boolean ssoEnabled() {
        return ssoEnabled;
    }

    /** {@code aurl} (SSO version 0). */
    public String authenticationUrl() {
        return utf8(authenticationUrl);
    }

    /** {@code aexpt}: when the member's SSO authentication expires (ms since the epoch). */
    public long authenticationExpiryTimeMs() {
        return authenticationExpiryTimeMs;
    }

    /** {@code iurl}: the OIDC issuer (SSO version 1). */
    public String issuerUrl() {
        return utf8(issuerUrl);
    }

    /** {@code ssoce}: the central authentication endpoint (SSO version 1). */
    public String centralAuthUrl() {
        return utf8(centralAuthUrl);
    }

    /** {@code sson}. */
    public String ssoNonce() {
        return utf8(ssoNonce);
    }

    /** {@code ssos}. */
    public String ssoState() {
        return utf8(ssoState);
    }

    /** {@code ssocid}: the OIDC client id. */
    public String ssoClientId() {
        return utf8(ssoClientId);
    }

    /** {@code ssop}: the SSO provider name ({@code default} unless given). */
    public String ssoProvider() {
        return utf8(ssoProvider);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- encoding

    /**
     * The dictionary 1.14.1's {@code toDictionary} produces for these values, or empty if it does
     * not fit {@link Dictionary#NETWORK_CONFIG_CAPACITY} (then 1.14.1 fails as well).
     */
    public Optional<Dictionary> toDictionary() {
        Dictionary.Builder d = Dictionary.builder(Dictionary.NETWORK_CONFIG_CAPACITY);
        boolean ok = d.addUnsigned("v", VERSION)
                && d.addUnsigned("nwid", networkId.value())
                && d.addSigned("ts", timestampMs)
                && d.addSigned("ctmd", credentialTimeMaxDeltaMs)
                && d.addUnsigned("r", revision)
                && d.add("id", issuedTo.toString())
                && d.add("tt", remoteTraceTarget.toString())
                && d.addUnsigned("tl", remoteTraceLevel)
                && d.addUnsigned("f", flags)
                && d.addUnsigned("ml", multicastLimit)
                && d.addUnsigned("t", type)
                && d.add("n", name)
                && d.addUnsigned("mtu", mtu)
                && (certificateOfMembership == null || d.add("C", certificateOfMembership.toBytes()))
                && addBlob(d, "CAP", capabilities, Capability::encode)
                && addBlob(d, "TAG", tags, Tag::encode)
                && addBlob(d, "COO", certificatesOfOwnership, CertificateOfOwnership::encode)
                && addBlob(d, "S", specialists, (s, w) -> w.u64(s.word()))
                && addBlob(d, "RT", routes, (r, w) -> {
                    r.target().encode(w);
                    r.via().encode(w);
                    w.u16(r.flags()).u16(r.metric());
                })
                && addBlob(d, "I", staticIps, InetEndpoint::encode)
                && (rules.isEmpty() || d.add("R", RuleCodec.encodeTable(rules)))
                && d.add("DNS", encodeDns())
                && addSso(d);
        return ok ? Optional.of(d.build()) : Optional.empty();
    }

    /**
     * The dictionary text ({@link #toDictionary()}'s bytes).
     *
     * @throws IllegalStateException if the config does not fit {@link Dictionary#NETWORK_CONFIG_CAPACITY}
     */
    public byte[] encode() {
        return toDictionary().orElseThrow(() -> new IllegalStateException(
                "network config does not fit " + Dictionary.NETWORK_CONFIG_CAPACITY + " bytes")).encode();
    }

    private byte[] encodeDns() {
        ByteWriter w = new ByteWriter(Dns.DOMAIN_FIELD_LENGTH + 4 * InetEndpoint.IPV6_LENGTH);
        dns.encode(w);
        return w.toByteArray();
    }

    private boolean addSso(Dictionary.Builder d) {
        if (ssoVersion == SSO_VERSION_IMPLICIT) {
            return d.addUnsigned("ssov", ssoVersion)
                    && d.add("ssoe", ssoEnabled)
                    && (!ssoEnabled || ((authenticationUrl.length == 0 || d.add("aurl", authenticationUrl))
                            && d.addUnsigned("aexpt", authenticationExpiryTimeMs)));
        }
        if (ssoVersion == SSO_VERSION_OIDC) {
            return d.addUnsigned("ssov", ssoVersion)
                    && d.add("ssoe", ssoEnabled)
                    && d.add("iurl", issuerUrl)
                    && d.add("ssoce", centralAuthUrl)
                    && d.add("sson", ssoNonce)
                    && d.add("ssos", ssoState)
                    && d.add("ssocid", ssoClientId)
                    && d.add("ssop", ssoProvider);
        }
        return true;
    }

    private interface ItemWriter<T> {
        void write(T item, ByteWriter w);
    }

    private static <T> boolean addBlob(Dictionary.Builder d, String key, List<T> items, ItemWriter<T> writer) {
        if (items.isEmpty()) {
            return true;
        }
        ByteWriter w = new ByteWriter();
        for (T item : items) {
            writer.write(item, w);
        }
        return d.add(key, w.toByteArray());
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Reads a received or stored config: its dictionary must fit
     * {@link Dictionary#NETWORK_CONFIG_CAPACITY} (as 1.14.1 requires), then {@link #from(Dictionary)}.
     */
    public static NetworkConfig decode(byte[] dictionary) throws WireFormatException {
        return from(Dictionary.decode(dictionary, Dictionary.NETWORK_CONFIG_CAPACITY));
    }

    /** Reads a config as 1.14.1's {@code fromDictionary} does (see the class comment). */
    public static NetworkConfig from(Dictionary d) throws WireFormatException {
        Builder b = new Builder();
        long nwid = d.getUnsigned("nwid", 0);
        if (nwid == 0) {
            throw new WireFormatException(CONTEXT + "network id (nwid) missing or 0");
        }
        b.networkId(new NetworkId(nwid));
        b.timestampMs(d.getUnsigned("ts", 0));
        b.credentialTimeMaxDeltaMs(d.getUnsigned("ctmd", 0));
        b.revision(d.getUnsigned("r", 0));
        Address issuedTo = Address.fromLow40Bits(d.getUnsigned("id", 0));
        if (issuedTo.value() == 0) {
            throw new WireFormatException(CONTEXT + "issued-to address (id) missing or 0");
        }
        b.issuedTo(issuedTo);
        b.remoteTraceTarget(Address.fromLow40Bits(d.getUnsigned("tt", 0)));
        b.remoteTraceLevel(d.getUnsigned("tl", 0) & U32);
        b.multicastLimit(d.getUnsigned("ml", 0) & U32);
        b.nameBytes(cString(d.get("n", NAME_BUFFER).orElse(new byte[0])));
        long mtu = d.getUnsigned("mtu", MTU_DEFAULT) & U32;
        b.mtu((int) Math.max(MTU_MIN, Math.min(MTU_MAX, mtu)));
        long version = d.getUnsigned("v", 0);
        if (Long.compareUnsigned(version, VERSION_MIN) < 0) {
            throw new WireFormatException(CONTEXT + "version " + Long.toUnsignedString(version)
                    + " is the legacy format (below " + VERSION_MIN + "), which 1.14.1 does not read");
        }
        b.flags(d.getUnsigned("f", 0));
        b.type(d.getUnsigned("t", TYPE_PRIVATE) & U32);

        Optional<byte[]> com = d.get("C");
        if (com.isPresent()) {
            // Bytes after the certificate are ignored, as 1.14.1 ignores them.
            b.certificateOfMembership(CertificateOfMembership.decode(reader(com.get(), "C")));
        }
        Optional<byte[]> caps = d.get("CAP");
        if (caps.isPresent()) {
            List<Capability> list = listUntilError(caps.get(), CAPABILITIES_MAX, "capabilities", Capability::decode);
            b.capabilities(sortedById(list, Capability::id));
        }
        Optional<byte[]> tags = d.get("TAG");
        if (tags.isPresent()) {
            b.tags(sortedById(listUntilError(tags.get(), TAGS_MAX, "tags", Tag::decode), Tag::id));
        }
        Optional<byte[]> coos = d.get("COO");
        if (coos.isPresent()) {
            b.certificatesOfOwnership(certificatesOfOwnership(coos.get()));
        }
        d.get("S").ifPresent(v -> b.specialists(specialists(v)));
        Optional<byte[]> routes = d.get("RT");
        if (routes.isPresent()) {
            b.routes(routes(routes.get()));
        }
        Optional<byte[]> ips = d.get("I");
        if (ips.isPresent()) {
            b.staticIps(staticIps(ips.get()));
        }
        Optional<byte[]> rules = d.get("R");
        if (rules.isPresent()) {
            b.rules(rules(rules.get()));
        }
        Optional<byte[]> dns = d.get("DNS");
        if (dns.isPresent()) {
            b.dns(Dns.decode(dns.get()));
        }
        readSso(d, b);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // Every value above is read within the limits build() checks; this would be our bug.
            throw new IllegalStateException("decoded config failed its own checks", e);
        }
    }

    private static void readSso(Dictionary d, Builder b) {
        long version = d.getUnsigned("ssov", 0);
        boolean enabled = d.getBoolean("ssoe", false);
        b.ssoVersion(version).ssoEnabled(enabled);
        if (version == SSO_VERSION_IMPLICIT && enabled) {
            b.authenticationUrlBytes(textIfNotEmpty(d, "aurl", URL_BUFFER, new byte[0]));
            b.authenticationExpiryTimeMs(d.getSigned("aexpt", 0));
        } else if (version == SSO_VERSION_OIDC) {
            if (enabled) {
                b.authenticationUrlBytes(textIfNotEmpty(d, "aurl", URL_BUFFER, new byte[0]));
                b.issuerUrlBytes(textIfNotEmpty(d, "iurl", URL_BUFFER, new byte[0]));
                b.centralAuthUrlBytes(textIfNotEmpty(d, "ssoce", URL_BUFFER, new byte[0]));
                b.ssoNonceBytes(textIfNotEmpty(d, "sson", SSO_NONCE_BUFFER, new byte[0]));
                b.ssoStateBytes(textIfNotEmpty(d, "ssos", SSO_STATE_BUFFER, new byte[0]));
                b.ssoClientIdBytes(textIfNotEmpty(d, "ssocid", SSO_CLIENT_ID_BUFFER, new byte[0]));
                b.ssoProviderBytes(textIfNotEmpty(d, "ssop", SSO_PROVIDER_BUFFER, DEFAULT_PROVIDER));
            } else {
                // 1.14.1 clears every SSO string here, the provider included.
                b.ssoProviderBytes(new byte[0]);
            }
        }
    }

    // 1.14.1 copies a text value only when at least one byte was read; it is then a C string.
    private static byte[] textIfNotEmpty(Dictionary d, String key, int buffer, byte[] otherwise) {
        Optional<byte[]> v = d.get(key, buffer);
        return v.isPresent() && v.get().length > 0 ? cString(v.get()) : otherwise;
    }

    private static byte[] cString(byte[] v) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) {
                return Arrays.copyOf(v, i);
            }
        }
        return v;
    }

    private static ByteReader reader(byte[] value, String key) {
        return new ByteReader(value, CONTEXT + key);
    }

    private interface Decoder<T> {
        T decode(ByteReader r) throws WireFormatException;
    }

    // CAP and TAG: 1.14.1 keeps the items parsed before the first bad one and drops the rest.
    private static <T> List<T> listUntilError(byte[] blob, int max, String what, Decoder<T> decoder)
            throws WireFormatException {
        List<T> out = new ArrayList<>();
        ByteReader r = reader(blob, what);
        while (r.hasRemaining()) {
            T item;
            try {
                item = decoder.decode(r);
            } catch (WireFormatException e) {
                break;
            }
            if (out.size() == max) {
                // 1.14.1 writes past its fixed table here (undefined behaviour): refuse instead.
                throw new WireFormatException(CONTEXT + "more than " + max + " " + what);
            }
            out.add(item);
        }
        return out;
    }

    // Quirk 8: sorted by id (unsigned 32-bit); equal ids keep their order (std::sort leaves it open).
    private static <T> List<T> sortedById(List<T> items, java.util.function.ToLongFunction<T> id) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingLong(id));
        return sorted;
    }

    // COO: a bad one refuses the config; after the fourth they are read and dropped.
    private static List<CertificateOfOwnership> certificatesOfOwnership(byte[] blob) throws WireFormatException {
        List<CertificateOfOwnership> out = new ArrayList<>();
        ByteReader r = reader(blob, "COO");
        while (r.hasRemaining()) {
            CertificateOfOwnership coo = CertificateOfOwnership.decode(r);
            if (out.size() < CERTIFICATES_OF_OWNERSHIP_MAX) {
                out.add(coo);
            }
        }
        return out;
    }

    private static List<Specialist> specialists(byte[] blob) {
        List<Specialist> out = new ArrayList<>();
        for (int p = 0; p + 8 <= blob.length && out.size() < SPECIALISTS_MAX; p += 8) {
            long w = 0;
            for (int i = 0; i < 8; i++) {
                w = (w << 8) | (blob[p + i] & 0xff);
            }
            out.add(new Specialist(w));
        }
        return out;
    }

    private static List<Route> routes(byte[] blob) throws WireFormatException {
        List<Route> out = new ArrayList<>();
        List<InetEndpoint> ends = new ArrayList<>(2);
        int p = 0;
        while (p < blob.length && out.size() < ROUTES_MAX) {
            ends.clear();
            p = NetconfBlobs.readEndpoint(blob, p, ends, "RT route " + out.size() + " target");
            p = NetconfBlobs.readEndpoint(blob, p, ends, "RT route " + out.size() + " via");
            int flags = NetconfBlobs.u16(blob, p, "RT route " + out.size() + " flags");
            int metric = NetconfBlobs.u16(blob, p + 2, "RT route " + out.size() + " metric");
            p += 4;
            out.add(new Route(ends.get(0), ends.get(1), flags, metric));
        }
        return out;
    }

    /**
     * The base table as 1.14.1 reads it: up to 1024 entries while inside the value. Each entry's
     * type, length byte and typed fields must be inside the value, but the length byte may point
     * past its end, which just ends the table (so the entry is read from a zero-padded copy).
     */
    private static List<RuleEntry> rules(byte[] blob) throws WireFormatException {
        byte[] padded = Arrays.copyOf(blob, blob.length + 2 + 0xff);
        List<RuleEntry> out = new ArrayList<>();
        int p = 0;
        while (p < blob.length && out.size() < RULES_MAX) {
            String field = "R rule " + out.size();
            int code = NetconfBlobs.u8(blob, p, field + " type") & RuleType.CODE_MASK;
            int len = NetconfBlobs.u8(blob, p + 1, field + " length");
            RuleType type = RuleType.ofCode(code);
            int fields = type == null ? 0 : type.payloadLength();
            NetconfBlobs.require(blob, p + 2, fields, field + " " + type);
            out.add(RuleCodec.decodeEntry(new ByteReader(padded, p, 2 + Math.max(len, fields),
                    "NetworkConfig: " + field)));
            p += 2 + len;
        }
        return out;
    }

    private static List<InetEndpoint> staticIps(byte[] blob) throws WireFormatException {
        List<InetEndpoint> out = new ArrayList<>();
        int p = 0;
        while (p < blob.length && out.size() < STATIC_IPS_MAX) {
            p = NetconfBlobs.readEndpoint(blob, p, out, "I static IP " + out.size());
        }
        return out;
    }

    // ---------------------------------------------------------------- comparison

    /**
     * The fields in which this config and {@code other} differ, one line each
     * ({@code "mtu: 2800 != 1400"}); empty if they are equal. For comparing a produced config with
     * an expected one key by key.
     */
    public List<String> differences(NetworkConfig other) {
        List<String> out = new ArrayList<>();
        diff(out, "networkId", other, NetworkConfig::networkId);
        diff(out, "timestampMs", other, NetworkConfig::timestampMs);
        diff(out, "credentialTimeMaxDeltaMs", other, NetworkConfig::credentialTimeMaxDeltaMs);
        diff(out, "revision", other, NetworkConfig::revision);
        diff(out, "issuedTo", other, NetworkConfig::issuedTo);
        diff(out, "remoteTraceTarget", other, NetworkConfig::remoteTraceTarget);
        diff(out, "remoteTraceLevel", other, NetworkConfig::remoteTraceLevel);
        diff(out, "flags", other, c -> HexFormat.of().toHexDigits(c.flags));
        diff(out, "multicastLimit", other, NetworkConfig::multicastLimit);
        diff(out, "type", other, NetworkConfig::type);
        diff(out, "name", other, c -> hex(c.name));
        diff(out, "mtu", other, NetworkConfig::mtu);
        diff(out, "certificateOfMembership", other, NetworkConfig::certificateOfMembership);
        diff(out, "capabilities", other, NetworkConfig::capabilities);
        diff(out, "tags", other, NetworkConfig::tags);
        diff(out, "certificatesOfOwnership", other, NetworkConfig::certificatesOfOwnership);
        diff(out, "specialists", other, NetworkConfig::specialists);
        diff(out, "routes", other, NetworkConfig::routes);
        diff(out, "staticIps", other, NetworkConfig::staticIps);
        diff(out, "rules", other, NetworkConfig::rules);
        diff(out, "dns", other, NetworkConfig::dns);
        diff(out, "ssoVersion", other, NetworkConfig::ssoVersion);
        diff(out, "ssoEnabled", other, NetworkConfig::ssoEnabled);
        diff(out, "authenticationUrl", other, c -> hex(c.authenticationUrl));
        diff(out, "authenticationExpiryTimeMs", other, NetworkConfig::authenticationExpiryTimeMs);
        diff(out, "issuerUrl", other, c -> hex(c.issuerUrl));
        diff(out, "centralAuthUrl", other, c -> hex(c.centralAuthUrl));
        diff(out, "ssoNonce", other, c -> hex(c.ssoNonce));
        diff(out, "ssoState", other, c -> hex(c.ssoState));
        diff(out, "ssoClientId", other, c -> hex(c.ssoClientId));
        diff(out, "ssoProvider", other, c -> hex(c.ssoProvider));
        return out;
    }

    private void diff(List<String> out, String field, NetworkConfig other, Function<NetworkConfig, Object> get) {
        Object a = get.apply(this);
        Object b = get.apply(other);
        if (!a.equals(b)) {
            out.add(field + ": " + a + " != " + b);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkConfig c && differences(c).isEmpty();
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkId, timestampMs, revision, issuedTo, Arrays.hashCode(name), routes, staticIps);
    }

    @Override
    public String toString() {
        return "NetworkConfig[nwid=" + networkId + ", issuedTo=" + issuedTo + ", ts=" + timestampMs
                + ", r=" + Long.toUnsignedString(revision) + ", name=" + name() + ", type=" + type
                + ", flags=" + Long.toHexString(flags) + ", mtu=" + mtu + ", routes=" + routes
                + ", staticIps=" + staticIps + ", rules=" + rules.size() + ", capabilities=" + capabilities.size()
                + ", tags=" + tags.size() + ", com=" + (certificateOfMembership != null) + "]";
    }

    // ---------------------------------------------------------------- building

    /** A builder with 1.14.1's defaults (private, MTU 2800, provider {@code default}, no DNS). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.networkId = networkId;
        b.timestampMs = timestampMs;
        b.credentialTimeMaxDeltaMs = credentialTimeMaxDeltaMs;
        b.revision = revision;
        b.issuedTo = issuedTo;
        b.remoteTraceTarget = remoteTraceTarget;
        b.remoteTraceLevel = remoteTraceLevel;
        b.flags = flags;
        b.multicastLimit = multicastLimit;
        b.type = type;
        b.name = name;
        b.mtu = mtu;
        b.certificateOfMembership = certificateOfMembership;
        b.capabilities = capabilities;
        b.tags = tags;
        b.certificatesOfOwnership = certificatesOfOwnership;
        b.specialists = specialists;
        b.routes = routes;
        b.staticIps = staticIps;
        b.rules = rules;
        b.dns = dns;
        b.ssoVersion = ssoVersion;
        b.ssoEnabled = ssoEnabled;
        b.authenticationUrl = authenticationUrl;
        b.authenticationExpiryTimeMs = authenticationExpiryTimeMs;
        b.issuerUrl = issuerUrl;
        b.centralAuthUrl = centralAuthUrl;
        b.ssoNonce = ssoNonce;
        b.ssoState = ssoState;
        b.ssoClientId = ssoClientId;
        b.ssoProvider = ssoProvider;
        return b;
    }

    /**
     * Collects the values of a {@link NetworkConfig}; {@link #build()} checks them (network id and
     * issued-to not 0, text within 1.14.1's buffers and without NUL, counts within the limits,
     * MTU within 1280..10000) and throws {@link IllegalArgumentException} naming the first bad one.
     * Text setters take UTF-8 strings or raw bytes.
     */
    public static final class Builder {
        private NetworkId networkId;
        private long timestampMs;
        private long credentialTimeMaxDeltaMs;
        private long revision;
        private Address issuedTo;
        private Address remoteTraceTarget = Address.NONE;
        private long remoteTraceLevel;
        private long flags;
        private long multicastLimit;
        private long type = TYPE_PRIVATE;
        private byte[] name = new byte[0];
        private int mtu = MTU_DEFAULT;
        private CertificateOfMembership certificateOfMembership;
        private List<Capability> capabilities = List.of();
        private List<Tag> tags = List.of();
        private List<CertificateOfOwnership> certificatesOfOwnership = List.of();
        private List<Specialist> specialists = List.of();
        private List<Route> routes = List.of();
        private List<InetEndpoint> staticIps = List.of();
        private List<RuleEntry> rules = List.of();
        private Dns dns = Dns.NONE;
        private long ssoVersion = SSO_VERSION_IMPLICIT;
        private boolean ssoEnabled;
        private byte[] authenticationUrl = new byte[0];
        private long authenticationExpiryTimeMs;
        private byte[] issuerUrl = new byte[0];
        private byte[] centralAuthUrl = new byte[0];
        private byte[] ssoNonce = new byte[0];
        private byte[] ssoState = new byte[0];
        private byte[] ssoClientId = new byte[0];
        private byte[] ssoProvider = DEFAULT_PROVIDER;

        private Builder() {}

        public Builder networkId(NetworkId v) {
            networkId = v;
            return this;
        }

        public Builder timestampMs(long v) {
            timestampMs = v;
            return this;
        }

        public Builder credentialTimeMaxDeltaMs(long v) {
            credentialTimeMaxDeltaMs = v;
            return this;
        }

        public Builder revision(long v) {
            revision = v;
            return this;
        }

        public Builder issuedTo(Address v) {
            issuedTo = v;
            return this;
        }

        public Builder remoteTraceTarget(Address v) {
            remoteTraceTarget = v;
            return this;
        }

        public Builder remoteTraceLevel(long v) {
            remoteTraceLevel = v;
            return this;
        }

        public Builder flags(long v) {
            flags = v;
            return this;
        }

        public Builder multicastLimit(long v) {
            multicastLimit = v;
            return this;
        }

        public Builder type(long v) {
            type = v;
            return this;
        }

        public Builder name(String v) {
            return nameBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder nameBytes(byte[] v) {
            name = v.clone();
            return this;
        }

        public Builder mtu(int v) {
            mtu = v;
            return this;
        }

        /** The member's COM, or {@code null} for none. */
        public Builder certificateOfMembership(CertificateOfMembership v) {
            certificateOfMembership = v;
            return this;
        }

        /** Capabilities, written in this order (1.14.1's controller: the member's order). */
        public Builder capabilities(List<Capability> v) {
            capabilities = List.copyOf(v);
            return this;
        }

        /** Tags, written in this order (1.14.1's controller: ascending id). */
        public Builder tags(List<Tag> v) {
            tags = List.copyOf(v);
            return this;
        }

        /** Certificates of ownership, at most 4, written in this order. */
        public Builder certificatesOfOwnership(List<CertificateOfOwnership> v) {
            certificatesOfOwnership = List.copyOf(v);
            return this;
        }

        public Builder specialists(List<Specialist> v) {
            specialists = List.copyOf(v);
            return this;
        }

        public Builder routes(List<Route> v) {
            routes = List.copyOf(v);
            return this;
        }

        public Builder staticIps(List<InetEndpoint> v) {
            staticIps = List.copyOf(v);
            return this;
        }

        /** The base rule table, evaluated in this order (empty for none). */
        public Builder rules(List<RuleEntry> v) {
            rules = List.copyOf(v);
            return this;
        }

        public Builder dns(Dns v) {
            dns = v;
            return this;
        }

        public Builder ssoVersion(long v) {
            ssoVersion = v;
            return this;
        }

        public Builder ssoEnabled(boolean v) {
            ssoEnabled = v;
            return this;
        }

        public Builder authenticationUrl(String v) {
            return authenticationUrlBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder authenticationUrlBytes(byte[] v) {
            authenticationUrl = v.clone();
            return this;
        }

        public Builder authenticationExpiryTimeMs(long v) {
            authenticationExpiryTimeMs = v;
            return this;
        }

        public Builder issuerUrl(String v) {
            return issuerUrlBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder issuerUrlBytes(byte[] v) {
            issuerUrl = v.clone();
            return this;
        }

        public Builder centralAuthUrl(String v) {
            return centralAuthUrlBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder centralAuthUrlBytes(byte[] v) {
            centralAuthUrl = v.clone();
            return this;
        }

        public Builder ssoNonce(String v) {
            return ssoNonceBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder ssoNonceBytes(byte[] v) {
            ssoNonce = v.clone();
            return this;
        }

        public Builder ssoState(String v) {
            return ssoStateBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder ssoStateBytes(byte[] v) {
            ssoState = v.clone();
            return this;
        }

        public Builder ssoClientId(String v) {
            return ssoClientIdBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder ssoClientIdBytes(byte[] v) {
            ssoClientId = v.clone();
            return this;
        }

        public Builder ssoProvider(String v) {
            return ssoProviderBytes(v.getBytes(StandardCharsets.UTF_8));
        }

        public Builder ssoProviderBytes(byte[] v) {
            ssoProvider = v.clone();
            return this;
        }

        public NetworkConfig build() {
            return new NetworkConfig(this);
        }
    }
}
