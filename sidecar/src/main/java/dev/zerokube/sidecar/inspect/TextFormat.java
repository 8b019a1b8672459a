package dev.zerokube.sidecar.inspect;

import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import java.io.PrintStream;
import java.util.List;

/**
 * One text line per datagram, tcpdump style:
 *
 * <pre>
 * TIME SRC &gt; DST KIND ZTSRC &gt; ZTDST id PACKETID hops H CIPHER VERB len N AUTH: SUMMARY
 * 18.521846 198.18.0.1/9993 &gt; 198.18.0.3/9993 packet a976707aa3 &gt; c1a675eb9f id d44e833decea0249 hops 0 AES_GMAC_SIV NETWORK_CONFIG_REQUEST len 128 lz4 289 auth ok: network c1a675eb9f955d1f ...
 * </pre>
 *
 * KIND is {@code packet}, {@code packet 0/2} for the head of a packet in 2 pieces,
 * {@code fragment 1/2 of #133} (133 = the head's line index), or {@code short}. VERB is
 * {@code OK(HELLO)} for replies and {@code ERROR(FRAME NEED_MEMBERSHIP_CERTIFICATE)} for errors,
 * {@code ?} when the packet did not authenticate. {@code lz4 N} follows a compressed payload's
 * length with its uncompressed length. An unknown value prints as {@code ?}.
 */
final class TextFormat implements InspectCommand.RecordPrinter {
    private final PrintStream out;

    TextFormat(PrintStream out) {
        this.out = out;
    }

    @Override
    public void print(List<DatagramRecord> records) {
        for (DatagramRecord r : records) {
            out.println(line(r));
        }
    }

    static String line(DatagramRecord r) {
        StringBuilder b = new StringBuilder(160);
        b.append(InspectCommand.seconds(r.timeUs()).toPlainString()).append(' ')
                .append(r.src()).append(" > ").append(r.dst()).append(' ');
        switch (r.kind()) {
            case SHORT -> {
                return b.append("short len ").append(r.length()).append(": ").append(r.summary()).toString();
            }
            case PACKET -> {
                b.append("packet");
                if (r.fragment()) {
                    b.append(" 0/").append(orUnknown(r.fragmentsTotal()));
                }
            }
            case FRAGMENT -> {
                b.append("fragment ").append(r.fragmentNo()).append('/').append(r.fragmentsTotal())
                        .append(" of #").append(orUnknown(r.headIndex()));
            }
        }
        b.append(' ').append(address(r.headerSrc())).append(" > ").append(address(r.headerDst()))
                .append(" id ").append(r.packetId() == null ? "?" : String.format("%016x", r.packetId()))
                .append(" hops ").append(orUnknown(r.hops()))
                .append(' ').append(r.cipher() == null ? "?" : DatagramRecord.cipherName(r.cipher()))
                .append(' ').append(verb(r))
                .append(" len ").append(orUnknown(r.payloadLength()));
        if (Boolean.TRUE.equals(r.compressed())) {
            b.append(" lz4 ").append(orUnknown(r.uncompressedPayloadLength()));
        }
        boolean trustedPath = r.cipher() != null && r.cipher() == PacketHeader.CIPHER_TRUSTED_PATH && r.verb() != null;
        return b.append(r.authOk() ? " auth ok: " : trustedPath ? " no auth: " : " auth FAILED: ").append(r.summary())
                .toString();
    }

    private static String verb(DatagramRecord r) {
        if (r.verb() == null) {
            return "?";
        }
        StringBuilder b = new StringBuilder(DatagramRecord.verbName(r.verb()));
        if (r.inReVerb() != null) {
            b.append('(').append(DatagramRecord.verbName(r.inReVerb()));
            if (r.errorCode() != null) {
                b.append(' ').append(DatagramRecord.errorCodeName(r.errorCode()));
            }
            b.append(')');
        }
        return b.toString();
    }

    private static String address(Long address) {
        return address == null ? "?" : String.format("%010x", address);
    }

    private static String orUnknown(Object value) {
        return value == null ? "?" : value.toString();
    }
}
