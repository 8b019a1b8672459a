package dev.zerokube.overlay.wire.credentials;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A Capability (ZT1-05 §3, ZT1-06 §4.2): a numbered, signed bundle of up to 64 rule entries that a
 * member may apply in addition to the network's base rules, with its custody chain.
 *
 * <pre>
 *  0   8  network id
 *  8   8  timestamp (i64 ms)
 * 16   4  id
 * 20   2  rc = rule count (at most 64)
 * 22      rc rule entries (ZT1-06 §4.1)
 *      1  maxCustodyChainLength (1..7; the 1.14.1 controller writes 1)
 *         custody entries: to addr5 ‖ from addr5 ‖ sigType u8 (1) ‖ sigLen u16 (96) ‖ signature,
 *         at most maxCustodyChainLength of them, ended by a zero 5-byte "to"
 *      2  extension length, then that many bytes (skipped)
 *
 * sign input, the same for every custody entry:
 *   7f×8 ‖ nwid ‖ timestamp ‖ id ‖ rc ‖ rules ‖ maxCustodyChainLength ‖ 00 00 ‖ 7f×8
 * </pre>
 *
 * The first custody entry must come from the network's controller; each later one from the
 * previous entry's {@code to}. The owner ({@link #issuedTo()}) is the last {@code to}.
 * Immutable.
 */
public record Capability(NetworkId networkId, long timestampMs, long id, List<RuleEntry> rules,
        int maxCustodyChainLength, List<Custody> custody) {
    /** {@code ZT_MAX_CAPABILITY_CUSTODY_CHAIN_LENGTH}. */
    public static final int CUSTODY_CHAIN_MAX = 7;

    /**
     * One custody hop: {@code from} handed the capability to {@code to} and signed it. The
     * signature is 96 bytes (zero when it arrived with an unknown signature type).
     */
    public record Custody(Address to, Address from, byte[] signature) {
        public Custody {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(from, "from");
            if (to.value() == 0) {
                throw new IllegalArgumentException("a zero 'to' ends the custody chain and cannot be an entry");
            }
            signature = SignatureBlock.copyOf(signature, "custody");
        }

        /** A copy of the 96-byte signature. */
        @Override
        public byte[] signature() {
            return signature.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Custody c && c.to.equals(to) && c.from.equals(from) && Arrays.equals(c.signature, signature);
        }

        @Override
        public int hashCode() {
            return (to.hashCode() * 31 + from.hashCode()) * 31 + Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "Custody[" + from + "->" + to + " sig=" + HexFormat.of().formatHex(signature, 0, 8) + "…]";
        }
    }

    public Capability {
        Objects.requireNonNull(networkId, "networkId");
        Tag.requireU32(id, "id");
        rules = List.copyOf(rules);
        custody = List.copyOf(custody);
        if (rules.size() > RuleCodec.CAPABILITY_ENTRIES_MAX) {
            throw new IllegalArgumentException(rules.size() + " rules, at most " + RuleCodec.CAPABILITY_ENTRIES_MAX);
        }
        if (maxCustodyChainLength < 1 || maxCustodyChainLength > CUSTODY_CHAIN_MAX) {
            throw new IllegalArgumentException("maxCustodyChainLength " + maxCustodyChainLength + " not in 1.." + CUSTODY_CHAIN_MAX);
        }
        if (custody.size() > maxCustodyChainLength) {
            throw new IllegalArgumentException(custody.size() + " custody entries, at most " + maxCustodyChainLength);
        }
    }

    /**
     * An unsigned capability as the 1.14.1 controller builds it (maximum chain length 1); the
     * controller then calls {@link #sign(Identity, Address)} with the member's address.
     */
    public static Capability unsigned(NetworkId networkId, long timestampMs, long id, List<RuleEntry> rules) {
        return new Capability(networkId, timestampMs, id, rules, 1, List.of());
    }

    /** The last custody entry's {@code to}, or {@link Address#NONE} without custody. */
    public Address issuedTo() {
        return custody.isEmpty() ? Address.NONE : custody.getLast().to();
    }

    public static Capability decode(ByteReader r) throws WireFormatException {
        NetworkId nwid = new NetworkId(r.readU64("capability network id"));
        long ts = r.readU64("capability timestamp");
        long id = r.readU32("capability id");
        int rc = r.readU16("capability rule count");
        if (rc > RuleCodec.CAPABILITY_ENTRIES_MAX) {
            throw r.error("capability rule count " + rc + " exceeds " + RuleCodec.CAPABILITY_ENTRIES_MAX);
        }
        List<RuleEntry> rules = RuleCodec.decodeCounted(r, rc);
        int max = r.readU8("capability max custody chain length");
        if (max < 1 || max > CUSTODY_CHAIN_MAX) {
            throw r.error("capability max custody chain length " + max + " not in 1.." + CUSTODY_CHAIN_MAX);
        }
        List<Custody> chain = new ArrayList<>();
        for (int i = 0; ; i++) {
            Address to = Address.decode(r, "capability custody to");
            if (to.value() == 0) {
                break;
            }
            if (i >= max) {
                throw r.error("capability custody chain longer than its maximum " + max);
            }
            Address from = Address.decode(r, "capability custody from");
            chain.add(new Custody(to, from, SignatureBlock.read(r, "capability custody")));
        }
        SignatureBlock.skipExtension(r, "capability");
        return new Capability(nwid, ts, id, rules, max, chain);
    }

    public void encode(ByteWriter w) {
        writeBody(w);
        for (Custody c : custody) {
            c.to().encode(w);
            c.from().encode(w);
            SignatureBlock.write(w, c.signature);
        }
        Address.NONE.encode(w);
        w.u16(0);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(64 + 8 * rules.size() + 108 * custody.size());
        encode(w);
        return w.toByteArray();
    }

    /** The bytes every custody signature covers (no custody chain in them). */
    public byte[] signInput() {
        ByteWriter w = new ByteWriter(48 + 8 * rules.size());
        w.u64(SignatureBlock.SENTINEL);
        writeBody(w);
        w.u16(0).u64(SignatureBlock.SENTINEL);
        return w.toByteArray();
    }

    private void writeBody(ByteWriter w) {
        w.u64(networkId.value()).u64(timestampMs).u32(id).u16(rules.size());
        RuleCodec.encodeTable(w, rules);
        w.u8(maxCustodyChainLength);
    }

    /**
     * This capability with one more custody entry: {@code signer} hands it to {@code to}. The
     * controller issues with its own identity; a holder may pass it on while the chain has room.
     *
     * @throws IllegalStateException if the chain is already {@code maxCustodyChainLength} long
     */
    public Capability sign(Identity signer, Address to) {
        if (custody.size() >= maxCustodyChainLength) {
            throw new IllegalStateException("custody chain is full (" + maxCustodyChainLength + ")");
        }
        List<Custody> chain = new ArrayList<>(custody);
        chain.add(new Custody(to, signer.address(), signer.sign(signInput())));
        return new Capability(networkId, timestampMs, id, rules, maxCustodyChainLength, chain);
    }

    /**
     * Verifies the custody chain (ZT1-05 §3.4): entry 0 from the network's controller, each later
     * entry from the previous {@code to}, every signature good. The first entry whose signer is
     * not known locally gives {@link VerifyResult#SIGNER_UNKNOWN}.
     */
    public VerifyResult verify(SignerLookup lookup) {
        byte[] message = signInput();
        for (int c = 0; c < maxCustodyChainLength; c++) {
            if (c >= custody.size()) {
                if (c == 0) {
                    return VerifyResult.NOT_CONTROLLER; // no custody at all: nobody signed it
                }
                return VerifyResult.OK;
            }
            Custody entry = custody.get(c);
            if (entry.from().value() == 0) {
                return c == 0 ? VerifyResult.NOT_CONTROLLER : VerifyResult.BAD_CUSTODY_CHAIN;
            }
            if (c == 0 && entry.from().value() != networkId.controllerAddress()) {
                return VerifyResult.NOT_CONTROLLER;
            }
            if (c > 0 && !entry.from().equals(custody.get(c - 1).to())) {
                return VerifyResult.BAD_CUSTODY_CHAIN;
            }
            Identity signer = lookup.identityOf(entry.from());
            if (signer == null) {
                return VerifyResult.SIGNER_UNKNOWN;
            }
            if (!signer.verify(message, entry.signature)) {
                return VerifyResult.BAD_SIGNATURE;
            }
        }
        return VerifyResult.OK;
    }
}
