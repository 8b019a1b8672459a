package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.verbs.CredentialFraming.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * NETWORK_CREDENTIALS (0x0a): a credential push (ZT1-03 §4.11, ZT1-05 §7.6).
 *
 * <pre>
 * repeat while the next byte is not 0x00:   CertificateOfMembership (its first byte is 0x01)
 * [1]  0x00                                 end of the COM list
 * [2]  count, Capabilities
 * [2]  count, Tags
 * [2]  count, Revocations
 * [2]  count, CertificatesOfOwnership
 * </pre>
 * Old senders stop after the 0x00 or after any complete section; the missing sections read as
 * empty. {@link #encode} always writes all of them, as 1.14.1 does. Each credential is kept as its
 * exact bytes (delimited by the ZT1-05 length rules; see {@code CredentialFraming}); bytes after
 * the last section are ignored.
 */
public record NetworkCredentials(List<byte[]> coms, List<byte[]> capabilities, List<byte[]> tags,
        List<byte[]> revocations, List<byte[]> coos) implements VerbPayload {

    public NetworkCredentials {
        coms = checked(Kind.COM, coms, "COMs");
        capabilities = checked(Kind.CAPABILITY, capabilities, "capabilities");
        tags = checked(Kind.TAG, tags, "tags");
        revocations = checked(Kind.REVOCATION, revocations, "revocations");
        coos = checked(Kind.COO, coos, "COOs");
    }

    private static List<byte[]> checked(Kind kind, List<byte[]> list, String what) {
        List<byte[]> copy = Bytes.copyAll(list, what);
        if (kind != Kind.COM && copy.size() > 0xffff) {
            throw new IllegalArgumentException("at most 65535 " + what);
        }
        for (byte[] b : copy) {
            CredentialFraming.requireOne(kind, b, what);
        }
        return copy;
    }

    /** The controller's revocation push: no COM, one revocation ({@code ncSendRevocation}). */
    public static NetworkCredentials ofRevocation(byte[] revocation) {
        return new NetworkCredentials(List.of(), List.of(), List.of(), List.of(revocation), List.of());
    }

    @Override
    public List<byte[]> coms() {
        return Bytes.copyAll(coms, "COMs");
    }

    @Override
    public List<byte[]> capabilities() {
        return Bytes.copyAll(capabilities, "capabilities");
    }

    @Override
    public List<byte[]> tags() {
        return Bytes.copyAll(tags, "tags");
    }

    @Override
    public List<byte[]> revocations() {
        return Bytes.copyAll(revocations, "revocations");
    }

    @Override
    public List<byte[]> coos() {
        return Bytes.copyAll(coos, "COOs");
    }

    @Override
    public int verbCode() {
        return Verb.NETWORK_CREDENTIALS.code();
    }

    public static NetworkCredentials decode(ByteReader r) throws WireFormatException {
        List<byte[]> coms = new ArrayList<>();
        while (r.hasRemaining() && r.array()[r.position()] != 0) {
            coms.add(CredentialFraming.read(Kind.COM, r));
        }
        if (r.hasRemaining()) {
            r.skip(1, "end of COMs");
        }
        List<byte[]> caps = section(Kind.CAPABILITY, r, "capability");
        List<byte[]> tags = section(Kind.TAG, r, "tag");
        List<byte[]> revocations = section(Kind.REVOCATION, r, "revocation");
        List<byte[]> coos = section(Kind.COO, r, "COO");
        return new NetworkCredentials(coms, caps, tags, revocations, coos);
    }

    private static List<byte[]> section(Kind kind, ByteReader r, String what) throws WireFormatException {
        List<byte[]> list = new ArrayList<>();
        if (!r.hasRemaining()) {
            return list;
        }
        int count = r.readU16(what + " count");
        for (int i = 0; i < count; i++) {
            list.add(CredentialFraming.read(kind, r));
        }
        return list;
    }

    @Override
    public void encode(ByteWriter w) {
        for (byte[] com : coms) {
            w.bytes(com);
        }
        w.u8(0);
        for (List<byte[]> section : List.of(capabilities, tags, revocations, coos)) {
            w.u16(section.size());
            for (byte[] b : section) {
                w.bytes(b);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkCredentials x && Bytes.equal(x.coms, coms)
                && Bytes.equal(x.capabilities, capabilities) && Bytes.equal(x.tags, tags)
                && Bytes.equal(x.revocations, revocations) && Bytes.equal(x.coos, coos);
    }

    @Override
    public int hashCode() {
        return (((Bytes.hash(coms) * 31 + Bytes.hash(capabilities)) * 31 + Bytes.hash(tags)) * 31
                + Bytes.hash(revocations)) * 31 + Bytes.hash(coos);
    }

    @Override
    public String toString() {
        return "NetworkCredentials[coms=" + Bytes.hex(coms) + ", capabilities=" + Bytes.hex(capabilities) + ", tags="
                + Bytes.hex(tags) + ", revocations=" + Bytes.hex(revocations) + ", coos=" + Bytes.hex(coos) + "]";
    }
}
