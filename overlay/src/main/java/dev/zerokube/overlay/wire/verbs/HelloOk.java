package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.World;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * OK(HELLO) body (ZT1-03 §4.2.4).
 *
 * <pre>
 * P+9   [8]  timestamp copied from the HELLO
 * P+17  [1]  responder's protocol version
 * P+18  [1]  responder's major version
 * P+19  [1]  responder's minor version
 * P+20  [2]  responder's revision
 * ---- optional ----
 * P+22  [..] InetAddress the HELLO came from, as the responder saw it          reportedAddress
 *       [2]  L, then [L] World objects in full form, concatenated              worldUpdates
 * </pre>
 * Optional parts are present as a prefix ({@code null} = absent). A single byte after the
 * address is ignored, as in 1.14.1; a length L beyond the end is an error. The worlds are kept
 * as bytes: 1.14.1 parses them only when the responder is an upstream (or a moon seed) and skips
 * them otherwise, so parse them with {@link #worlds()} after that check.
 */
public record HelloOk(long timestampEcho, int protocolVersion, int majorVersion, int minorVersion, int revision,
        InetEndpoint reportedAddress, byte[] worldUpdates) implements OkBody {

    public HelloOk {
        Bytes.requireU8(protocolVersion, "protocol version");
        Bytes.requireU8(majorVersion, "major version");
        Bytes.requireU8(minorVersion, "minor version");
        Bytes.requireU16(revision, "revision");
        if (reportedAddress == null && worldUpdates != null) {
            throw new IllegalArgumentException("world updates cannot be sent without the reported address before them");
        }
        if (worldUpdates != null) {
            Bytes.requireU16Length(worldUpdates, "world updates");
            worldUpdates = worldUpdates.clone();
        }
    }

    @Override
    public int inReVerb() {
        return Verb.HELLO.code();
    }

    static HelloOk decode(ByteReader r) throws WireFormatException {
        long timestamp = r.readU64("timestamp echo");
        int protocolVersion = r.readU8("protocol version");
        int major = r.readU8("major version");
        int minor = r.readU8("minor version");
        int revision = r.readU16("revision");
        InetEndpoint reported = null;
        byte[] worlds = null;
        if (r.hasRemaining()) {
            reported = InetEndpoint.decode(r, "reported address");
            if (r.remaining() >= 2) {
                worlds = r.readBytes(r.readU16("world updates length"), "world updates");
            }
        }
        return new HelloOk(timestamp, protocolVersion, major, minor, revision, reported, worlds);
    }

    @Override
    public void encode(ByteWriter w) {
        w.u64(timestampEcho).u8(protocolVersion).u8(majorVersion).u8(minorVersion).u16(revision);
        if (reportedAddress == null) {
            return;
        }
        reportedAddress.encode(w);
        if (worldUpdates != null) {
            w.u16(worldUpdates.length).bytes(worldUpdates);
        }
    }

    /** The concatenated worlds (a copy), or null when absent. */
    @Override
    public byte[] worldUpdates() {
        return Bytes.copy(worldUpdates);
    }

    /**
     * The world updates as {@link World}s, in order; empty when absent. A world that does not
     * parse, or one that runs past L, fails them all (1.14.1 drops the packet).
     */
    public List<World> worlds() throws WireFormatException {
        List<World> out = new ArrayList<>();
        if (worldUpdates == null) {
            return out;
        }
        ByteReader r = new ByteReader(worldUpdates, "OK(HELLO) world updates");
        while (r.hasRemaining()) {
            out.add(World.decode(r));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HelloOk x && x.timestampEcho == timestampEcho && x.protocolVersion == protocolVersion
                && x.majorVersion == majorVersion && x.minorVersion == minorVersion && x.revision == revision
                && Objects.equals(x.reportedAddress, reportedAddress) && Arrays.equals(x.worldUpdates, worldUpdates);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestampEcho, protocolVersion, majorVersion, minorVersion, revision, reportedAddress)
                * 31 + Arrays.hashCode(worldUpdates);
    }

    @Override
    public String toString() {
        return "HelloOk[timestampEcho=" + timestampEcho + ", protocolVersion=" + protocolVersion + ", version="
                + majorVersion + "." + minorVersion + "." + revision + ", reportedAddress=" + reportedAddress
                + ", worldUpdates=" + Bytes.hex(worldUpdates) + "]";
    }
}
