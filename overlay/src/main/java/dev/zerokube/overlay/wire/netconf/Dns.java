package dev.zerokube.overlay.wire.netconf;

import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The DNS settings of a network config ({@code DNS}, ZT1-04 §3.3): a search domain and up to four
 * servers. 1.14.1 always writes this key, empty or not.
 *
 * <pre>
 * [128]  search domain, NUL padded (the reader forces byte 127 to NUL: at most 127 bytes)
 * 4 x    InetAddress: server (port 0 as written by the controller), 00 (nil) when unused
 * </pre>
 * An empty block is 128 + 4 zero bytes. Servers are kept in slot order; nil slots after the last
 * server are dropped, nil slots between servers are kept (so the block re-encodes as it came).
 */
public final class Dns {
    /** Bytes of the domain field. */
    public static final int DOMAIN_FIELD_LENGTH = 128;
    /** Longest domain: the last byte of the field is always NUL. */
    public static final int DOMAIN_BYTES_MAX = DOMAIN_FIELD_LENGTH - 1;
    /** Server slots ({@code ZT_MAX_DNS_SERVERS}). */
    public static final int SERVERS_MAX = 4;

    /** No domain, no servers: what a config without DNS settings carries. */
    public static final Dns NONE = new Dns(new byte[0], List.of());

    private final byte[] domain;
    private final List<InetEndpoint> servers;

    private Dns(byte[] domain, List<InetEndpoint> servers) {
        this.domain = domain;
        this.servers = servers;
    }

    /**
     * DNS settings with a domain (UTF-8, at most 127 bytes, no NUL) and at most four servers
     * (trailing nils are dropped).
     */
    public static Dns of(String domain, List<InetEndpoint> servers) {
        return ofBytes(domain.getBytes(StandardCharsets.UTF_8), servers);
    }

    /** Like {@link #of(String, List)} with the domain's raw bytes. */
    public static Dns ofBytes(byte[] domain, List<InetEndpoint> servers) {
        if (domain.length > DOMAIN_BYTES_MAX) {
            throw new IllegalArgumentException("DNS domain has " + domain.length + " bytes, at most "
                    + DOMAIN_BYTES_MAX + " fit");
        }
        for (byte b : domain) {
            if (b == 0) {
                throw new IllegalArgumentException("DNS domain contains NUL");
            }
        }
        if (servers.size() > SERVERS_MAX) {
            throw new IllegalArgumentException(servers.size() + " DNS servers, at most " + SERVERS_MAX);
        }
        List<InetEndpoint> s = new ArrayList<>(servers);
        s.forEach(e -> Objects.requireNonNull(e, "server"));
        while (!s.isEmpty() && s.getLast().isNil()) {
            s.removeLast();
        }
        return new Dns(domain.clone(), List.copyOf(s));
    }

    /** The search domain (UTF-8; malformed bytes read as U+FFFD), empty if none. */
    public String domain() {
        return new String(domain, StandardCharsets.UTF_8);
    }

    /** The search domain's bytes (a copy). */
    public byte[] domainBytes() {
        return domain.clone();
    }

    /** The servers in slot order, up to the last non-nil one. */
    public List<InetEndpoint> servers() {
        return servers;
    }

    public boolean isEmpty() {
        return domain.length == 0 && servers.isEmpty();
    }

    /** Writes the 128-byte domain field and the four server slots. */
    void encode(ByteWriter w) {
        w.bytes(domain).bytes(new byte[DOMAIN_FIELD_LENGTH - domain.length]);
        for (int i = 0; i < SERVERS_MAX; i++) {
            (i < servers.size() ? servers.get(i) : InetEndpoint.NIL).encode(w);
        }
    }

    /**
     * Reads the block as 1.14.1 does: the domain is the field up to its first NUL (byte 127 is
     * forced to NUL), then four addresses; bytes after them are ignored.
     */
    static Dns decode(byte[] blob) throws WireFormatException {
        int n = 0;
        while (n < DOMAIN_BYTES_MAX && n < blob.length && blob[n] != 0) {
            n++;
        }
        List<InetEndpoint> servers = new ArrayList<>(SERVERS_MAX);
        int p = DOMAIN_FIELD_LENGTH;
        for (int i = 0; i < SERVERS_MAX; i++) {
            p = NetconfBlobs.readEndpoint(blob, p, servers, "DNS server " + i);
        }
        return ofBytes(Arrays.copyOf(blob, n), servers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dns d && Arrays.equals(domain, d.domain) && servers.equals(d.servers);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(domain) * 31 + servers.hashCode();
    }

    @Override
    public String toString() {
        return "Dns[domain=" + domain() + ", servers=" + servers + "]";
    }
}
