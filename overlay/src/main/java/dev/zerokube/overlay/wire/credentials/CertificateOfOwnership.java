package dev.zerokube.overlay.wire.credentials;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A certificate of ownership, COO (ZT1-05 §5): the IP and MAC addresses ("things") a member may
 * use as a source, signed by the controller.
 *
 * <pre>
 *  0    8   network id
 *  8    8   timestamp (i64 ms)
 * 16    8   flags (no bits defined)
 * 24    4   id (the 1.14.1 controller uses 1)
 * 28    2   k = thing count (at most 16)
 * 30  17·k  things: type u8 (1 MAC, 2 IPv4, 3 IPv6) ‖ value, always 16 bytes, zero padded
 *       5   issued to
 *       5   signed by
 *    1+2+96 signature block (type 1, length 96)
 *       2   extension length, then that many bytes (skipped)
 *
 * sign input: 7f×8 ‖ everything before the signature block ‖ 00 00 ‖ 7f×8   (58 + 17·k bytes)
 * </pre>
 *
 * Things keep the order they were added in, duplicates included. 1.14.1 mis-parses more than 16
 * things (it reads the count but only 16 things), so more are rejected here. Immutable.
 */
public record CertificateOfOwnership(NetworkId networkId, long timestampMs, long flags, long id, List<Thing> things,
        Address issuedTo, Address signedBy, byte[] signature) {
    /** {@code ZT_CERTIFICATEOFOWNERSHIP_MAX_THINGS}. */
    public static final int THINGS_MAX = 16;
    /** Every thing value takes this many bytes on the wire. */
    public static final int THING_VALUE_LENGTH = 16;

    /**
     * One owned address: {@code type} ({@link #TYPE_MAC}, {@link #TYPE_IPV4}, {@link #TYPE_IPV6},
     * or any other byte, kept as received) and its 16-byte zero-padded value.
     */
    public record Thing(int type, byte[] value) {
        public static final int TYPE_NULL = 0;
        public static final int TYPE_MAC = 1;
        public static final int TYPE_IPV4 = 2;
        public static final int TYPE_IPV6 = 3;

        public Thing {
            if (type < 0 || type > 0xff) {
                throw new IllegalArgumentException("thing type " + type + " is not a byte");
            }
            if (value == null || value.length != THING_VALUE_LENGTH) {
                throw new IllegalArgumentException("thing value must be " + THING_VALUE_LENGTH + " bytes");
            }
            value = value.clone();
        }

        /** A MAC address (6 bytes, padded). */
        public static Thing of(Mac mac) {
            return new Thing(TYPE_MAC, Arrays.copyOf(mac.toBytes(), THING_VALUE_LENGTH));
        }

        /** The IP of an endpoint (port/netmask is not part of a COO). */
        public static Thing of(InetEndpoint ip) {
            if (ip.isIpv4()) {
                return new Thing(TYPE_IPV4, Arrays.copyOf(ip.ip(), THING_VALUE_LENGTH));
            }
            if (ip.isIpv6()) {
                return new Thing(TYPE_IPV6, ip.ip());
            }
            throw new IllegalArgumentException("a nil address cannot be owned");
        }

        /** A copy of the 16-byte value. */
        @Override
        public byte[] value() {
            return value.clone();
        }

        /**
         * Whether this thing is {@code ip} (4 or 16 bytes); only the address bytes are compared,
         * not the padding (ZT1-05 §5.3).
         */
        public boolean isIp(byte[] ip) {
            int t = ip.length == 4 ? TYPE_IPV4 : ip.length == 16 ? TYPE_IPV6 : -1;
            return type == t && Arrays.equals(value, 0, ip.length, ip, 0, ip.length);
        }

        public boolean isMac(Mac mac) {
            return type == TYPE_MAC && Arrays.equals(value, 0, Mac.LENGTH, mac.toBytes(), 0, Mac.LENGTH);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Thing t && t.type == type && Arrays.equals(t.value, value);
        }

        @Override
        public int hashCode() {
            return type * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Thing[" + type + ":" + HexFormat.of().formatHex(value) + "]";
        }
    }

    public CertificateOfOwnership {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(issuedTo, "issuedTo");
        Objects.requireNonNull(signedBy, "signedBy");
        Tag.requireU32(id, "id");
        things = List.copyOf(things);
        if (things.size() > THINGS_MAX) {
            throw new IllegalArgumentException(things.size() + " things, at most " + THINGS_MAX);
        }
        signature = SignatureBlock.copyOf(signature, "COO");
    }

    /** An unsigned COO with flags 0, to be {@link #sign signed} by the controller. */
    public static CertificateOfOwnership unsigned(NetworkId networkId, long timestampMs, long id, List<Thing> things,
            Address issuedTo) {
        return new CertificateOfOwnership(networkId, timestampMs, 0, id, things, issuedTo, Address.NONE,
                new byte[SignatureBlock.LENGTH]);
    }

    /** A copy of the 96-byte signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Whether some thing is this IP address (4 or 16 bytes). */
    public boolean owns(byte[] ip) {
        for (Thing t : things) {
            if (t.isIp(ip)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some thing is this MAC. */
    public boolean owns(Mac mac) {
        for (Thing t : things) {
            if (t.isMac(mac)) {
                return true;
            }
        }
        return false;
    }

    public static CertificateOfOwnership decode(ByteReader r) throws WireFormatException {
        NetworkId nwid = new NetworkId(r.readU64("COO network id"));
        long ts = r.readU64("COO timestamp");
        long flags = r.readU64("COO flags");
        long id = r.readU32("COO id");
        int k = r.readU16("COO thing count");
        if (k > THINGS_MAX) {
            throw r.error("COO thing count " + k + " exceeds " + THINGS_MAX + " (1.14.1 would mis-parse it)");
        }
        List<Thing> things = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int type = r.readU8("COO thing type");
            things.add(new Thing(type, r.readBytes(THING_VALUE_LENGTH, "COO thing value")));
        }
        Address issuedTo = Address.decode(r, "COO issued-to");
        Address signedBy = Address.decode(r, "COO signed-by");
        byte[] sig = SignatureBlock.read(r, "COO");
        SignatureBlock.skipExtension(r, "COO");
        return new CertificateOfOwnership(nwid, ts, flags, id, things, issuedTo, signedBy, sig);
    }

    public void encode(ByteWriter w) {
        writeFields(w);
        SignatureBlock.write(w, signature);
        w.u16(0);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(141 + 17 * things.size());
        encode(w);
        return w.toByteArray();
    }

    /** The bytes the controller signs. */
    public byte[] signInput() {
        ByteWriter w = new ByteWriter(58 + 17 * things.size());
        w.u64(SignatureBlock.SENTINEL);
        writeFields(w);
        w.u16(0).u64(SignatureBlock.SENTINEL);
        return w.toByteArray();
    }

    private void writeFields(ByteWriter w) {
        w.u64(networkId.value()).u64(timestampMs).u64(flags).u32(id).u16(things.size());
        for (Thing t : things) {
            w.u8(t.type()).bytes(t.value);
        }
        issuedTo.encode(w);
        signedBy.encode(w);
    }

    /** This COO with {@code signedBy} set to the signer and signed by it. */
    public CertificateOfOwnership sign(Identity signer) {
        CertificateOfOwnership toSign =
                new CertificateOfOwnership(networkId, timestampMs, flags, id, things, issuedTo, signer.address(), signature);
        return new CertificateOfOwnership(networkId, timestampMs, flags, id, things, issuedTo, signer.address(),
                signer.sign(toSign.signInput()));
    }

    /** Valid iff signed by the network's controller (ZT1-05 §5.3). */
    public VerifyResult verify(SignerLookup lookup) {
        return SignatureBlock.verifyByController(networkId, signedBy, signInput(), signature, lookup);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateOfOwnership c && c.networkId.equals(networkId) && c.timestampMs == timestampMs
                && c.flags == flags && c.id == id && c.things.equals(things) && c.issuedTo.equals(issuedTo)
                && c.signedBy.equals(signedBy) && Arrays.equals(c.signature, signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkId, timestampMs, flags, id, things, issuedTo, signedBy) * 31
                + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "CertificateOfOwnership[" + networkId + " id=" + id + " ts=" + timestampMs + " things=" + things
                + " to=" + issuedTo + " by=" + signedBy + "]";
    }
}
