package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.Tag;
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
 * Old senders stop after the 0x00 (or before it, at the end of the packet) or after any complete
 * section; the missing sections read as empty. {@link #encode} always writes all of them, as
 * 1.14.1 does. A credential that does not parse fails the whole payload (1.14.1 keeps what it
 * added before the bad one and drops the rest). Bytes after the last section are ignored.
 */
public record NetworkCredentials(List<CertificateOfMembership> coms, List<Capability> capabilities, List<Tag> tags,
        List<Revocation> revocations, List<CertificateOfOwnership> coos) implements VerbPayload {

    public NetworkCredentials {
        coms = List.copyOf(coms);
        capabilities = List.copyOf(capabilities);
        tags = List.copyOf(tags);
        revocations = List.copyOf(revocations);
        coos = List.copyOf(coos);
        for (List<?> section : List.of(capabilities, tags, revocations, coos)) {
            if (section.size() > 0xffff) {
                throw new IllegalArgumentException("a section holds at most 65535 credentials");
            }
        }
    }

    /** The controller's revocation push: no COM, one revocation ({@code ncSendRevocation}). */
    public static NetworkCredentials ofRevocation(Revocation revocation) {
        return new NetworkCredentials(List.of(), List.of(), List.of(), List.of(revocation), List.of());
    }

    @Override
    public int verbCode() {
        return Verb.NETWORK_CREDENTIALS.code();
    }

    public static NetworkCredentials decode(ByteReader r) throws WireFormatException {
        List<CertificateOfMembership> coms = new ArrayList<>();
        while (r.hasRemaining() && r.array()[r.position()] != 0) {
            coms.add(CertificateOfMembership.decode(r));
        }
        if (r.hasRemaining()) {
            r.skip(1, "end of COMs");
        }
        List<Capability> caps = new ArrayList<>();
        List<Tag> tags = new ArrayList<>();
        List<Revocation> revocations = new ArrayList<>();
        List<CertificateOfOwnership> coos = new ArrayList<>();
        for (int i = sectionCount(r, "capability"); i > 0; i--) {
            caps.add(Capability.decode(r));
        }
        for (int i = sectionCount(r, "tag"); i > 0; i--) {
            tags.add(Tag.decode(r));
        }
        for (int i = sectionCount(r, "revocation"); i > 0; i--) {
            revocations.add(Revocation.decode(r));
        }
        for (int i = sectionCount(r, "COO"); i > 0; i--) {
            coos.add(CertificateOfOwnership.decode(r));
        }
        return new NetworkCredentials(coms, caps, tags, revocations, coos);
    }

    // A section that is not there at all counts as empty; one that starts must be complete.
    private static int sectionCount(ByteReader r, String what) throws WireFormatException {
        return r.hasRemaining() ? r.readU16(what + " count") : 0;
    }

    @Override
    public void encode(ByteWriter w) {
        for (CertificateOfMembership com : coms) {
            com.encode(w);
        }
        w.u8(0);
        w.u16(capabilities.size());
        capabilities.forEach(c -> c.encode(w));
        w.u16(tags.size());
        tags.forEach(t -> t.encode(w));
        w.u16(revocations.size());
        revocations.forEach(v -> v.encode(w));
        w.u16(coos.size());
        coos.forEach(c -> c.encode(w));
    }
}
