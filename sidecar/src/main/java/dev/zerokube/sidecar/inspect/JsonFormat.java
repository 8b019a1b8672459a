package dev.zerokube.sidecar.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One JSON object per line per datagram, with the capture vectors' field names and presence rules
 * (README-capture-rules.md §2.4), so the output can be compared with, or stand in for, an
 * annotated capture: {@code t, src, dst, len}, then the annotations {@code kind, fragment,
 * packet_id, header_src, header_dst, hops, cipher, verb, in_re_verb, error_code, payload_len,
 * compressed, uncompressed_payload_len, auth_ok, fragment_no, fragments_total, reassembled_len,
 * head_index}, then {@code summary}.
 *
 * <p>Presence: a short datagram has {@code packet_id, hops, cipher, verb, payload_len} as null and
 * no header addresses; packets always have {@code compressed}; {@code in_re_verb} and
 * {@code error_code} appear only for OK/ERROR, {@code uncompressed_payload_len} only when
 * compressed; fragment fields only on fragmented heads and fragments. Unknown values are null.
 */
final class JsonFormat implements InspectCommand.RecordPrinter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;

    JsonFormat(PrintStream out) {
        this.out = out;
    }

    @Override
    public void print(List<DatagramRecord> records) {
        for (DatagramRecord r : records) {
            try {
                out.println(JSON.writeValueAsString(object(r)));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static ObjectNode object(DatagramRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("t", InspectCommand.seconds(r.timeUs()));
        o.put("src", r.src());
        o.put("dst", r.dst());
        o.put("len", r.length());
        o.put("kind", r.kind().name().toLowerCase(java.util.Locale.ROOT));
        o.put("fragment", r.fragment());
        o.put("packet_id", r.packetId() == null ? null : String.format("%016x", r.packetId()));
        if (r.kind() != DatagramRecord.Kind.SHORT) {
            o.put("header_src", r.headerSrc() == null ? null : String.format("%010x", r.headerSrc()));
            o.put("header_dst", r.headerDst() == null ? null : String.format("%010x", r.headerDst()));
        }
        o.put("hops", r.hops());
        o.put("cipher", r.cipher() == null ? null : DatagramRecord.cipherName(r.cipher()));
        o.put("verb", r.verb() == null ? null : DatagramRecord.verbName(r.verb()));
        if (r.inReVerb() != null) {
            o.put("in_re_verb", DatagramRecord.verbName(r.inReVerb()));
        }
        if (r.errorCode() != null) {
            o.put("error_code", r.errorCode());
        }
        o.put("payload_len", r.payloadLength());
        if (r.kind() == DatagramRecord.Kind.PACKET) {
            o.put("compressed", r.compressed());
            if (r.uncompressedPayloadLength() != null) {
                o.put("uncompressed_payload_len", r.uncompressedPayloadLength());
            }
        }
        o.put("auth_ok", r.authOk());
        if (r.fragment()) {
            o.put("fragment_no", r.fragmentNo());
            o.put("fragments_total", r.fragmentsTotal());
            if (r.kind() == DatagramRecord.Kind.PACKET) {
                o.put("reassembled_len", r.reassembledLength());
            } else {
                o.put("head_index", r.headIndex());
            }
        }
        o.put("summary", r.summary());
        return o;
    }
}
