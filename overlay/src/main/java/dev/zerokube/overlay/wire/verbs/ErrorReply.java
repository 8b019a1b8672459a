package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;
import java.util.Objects;

/**
 * ERROR (0x02): the negative reply to a request (ZT1-03 §3.2).
 *
 * <pre>
 * P+0  [1]  in-re verb
 * P+1  [8]  in-re packet id
 * P+9  [1]  error code ({@link ErrorCode})
 * P+10      by code:
 *           0x03, 0x05, 0x06, 0x07, 0x09: [8] network id
 *           0x08:                         [8] network id, [6] MAC, [4] ADI
 *           others (0x00..0x02, 0x04, unknown): nothing
 *      [[ [2] L, [L] error data ]]     codes 0x03, 0x07, 0x09 only (a controller's dictionary;
 *                                      for 0x09 the SSO auth info)
 * </pre>
 * 1.14.1's reading of the optional error data, kept here: with fewer than 3 bytes after the
 * network id there is no data (for 0x09: "authentication required, no URL"); when 3 or more
 * bytes follow and L runs past the end, 1.14.1 applies nothing for 0x09 (this decoder reports
 * an error, so the packet is dropped) and ignores the bytes for 0x03 and 0x07 (as here). Other
 * trailing bytes are ignored.
 *
 * @param errorCode the code byte; codes without an {@link ErrorCode} are kept as numbers
 * @param networkId present iff {@link ErrorCode#carriesNetworkId} (else null)
 * @param group present iff the code is UNWANTED_MULTICAST (else null)
 * @param errorData null when absent; only for codes that {@link ErrorCode#carriesErrorData}
 */
public record ErrorReply(int inReVerb, long inRePacketId, int errorCode, NetworkId networkId, MulticastGroup group,
        byte[] errorData) implements VerbPayload {

    public ErrorReply {
        Bytes.requireU8(inReVerb, "in-re verb");
        Bytes.requireU8(errorCode, "error code");
        if (ErrorCode.carriesNetworkId(errorCode) != (networkId != null)) {
            throw new IllegalArgumentException("error code " + errorCode
                    + (networkId == null ? " needs a network id" : " carries no network id"));
        }
        if ((errorCode == ErrorCode.UNWANTED_MULTICAST.code()) != (group != null)) {
            throw new IllegalArgumentException("a group is present exactly for UNWANTED_MULTICAST");
        }
        if (errorData != null) {
            if (!ErrorCode.carriesErrorData(errorCode)) {
                throw new IllegalArgumentException("error code " + errorCode + " carries no error data");
            }
            Bytes.requireU16Length(errorData, "error data");
            errorData = errorData.clone();
        }
    }

    /** An error with no data after the code (e.g. IDENTITY_COLLISION in re HELLO). */
    public static ErrorReply of(Verb inRe, long inRePacketId, ErrorCode code) {
        return new ErrorReply(inRe.code(), inRePacketId, code.code(), null, null, null);
    }

    /** An error naming a network (e.g. NEED_MEMBERSHIP_CERTIFICATE, UNSUPPORTED_OPERATION). */
    public static ErrorReply of(Verb inRe, long inRePacketId, ErrorCode code, NetworkId networkId) {
        return new ErrorReply(inRe.code(), inRePacketId, code.code(), networkId, null, null);
    }

    /** A controller's refusal of a NETWORK_CONFIG_REQUEST with error data, as {@code ncSendError} writes it. */
    public static ErrorReply ofNetworkConfigRequest(long inRePacketId, ErrorCode code, NetworkId networkId,
            byte[] errorData) {
        return new ErrorReply(Verb.NETWORK_CONFIG_REQUEST.code(), inRePacketId, code.code(), networkId, null,
                errorData);
    }

    /** The code as an enum, or null for a number 1.14.1 does not define. */
    public ErrorCode code() {
        return ErrorCode.ofCode(errorCode);
    }

    @Override
    public int verbCode() {
        return Verb.ERROR.code();
    }

    public static ErrorReply decode(ByteReader r) throws WireFormatException {
        int inReVerb = r.readU8("in-re verb");
        long inRePacketId = r.readU64("in-re packet id");
        int code = r.readU8("error code");
        NetworkId networkId = null;
        MulticastGroup group = null;
        byte[] errorData = null;
        if (ErrorCode.carriesNetworkId(code)) {
            networkId = NetworkId.decode(r);
        }
        if (code == ErrorCode.UNWANTED_MULTICAST.code()) {
            group = MulticastGroup.decode(r, "unwanted group");
        }
        if (ErrorCode.carriesErrorData(code) && r.remaining() >= 2) {
            int after = r.remaining();
            int length = r.readU16("error data length");
            if (length <= r.remaining()) {
                errorData = r.readBytes(length, "error data");
            } else if (code == ErrorCode.NETWORK_AUTHENTICATION_REQUIRED.code() && after >= 3) {
                throw r.error("auth info length " + length + " runs past the " + r.remaining() + " bytes left");
            }
        }
        return new ErrorReply(inReVerb, inRePacketId, code, networkId, group, errorData);
    }

    @Override
    public void encode(ByteWriter w) {
        w.u8(inReVerb).u64(inRePacketId).u8(errorCode);
        if (networkId != null) {
            networkId.encode(w);
        }
        if (group != null) {
            group.encode(w);
        }
        if (errorData != null) {
            w.u16(errorData.length).bytes(errorData);
        }
    }

    /** The error data (a copy), or null when absent. */
    @Override
    public byte[] errorData() {
        return Bytes.copy(errorData);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorReply x && x.inReVerb == inReVerb && x.inRePacketId == inRePacketId
                && x.errorCode == errorCode && Objects.equals(x.networkId, networkId)
                && Objects.equals(x.group, group) && Arrays.equals(x.errorData, errorData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inReVerb, inRePacketId, errorCode, networkId, group) * 31 + Arrays.hashCode(errorData);
    }

    @Override
    public String toString() {
        return "ErrorReply[inReVerb=" + inReVerb + ", inRePacketId=" + Long.toHexString(inRePacketId) + ", errorCode="
                + errorCode + ", networkId=" + networkId + ", group=" + group + ", errorData="
                + Bytes.hex(errorData) + "]";
    }
}
