package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.List;

/**
 * QOS_MEASUREMENT (0x13): multipath link quality records, sent with cipher 0 on the measured
 * link (ZT1-03 §4.20). Unlike everything else on the wire the fields are in the sender's HOST
 * byte order: little-endian on every platform 1.14.1 ships for.
 *
 * <pre>
 * repeat (up to 140):
 *   [8]  packet id of a packet received earlier   (little-endian)
 *   [2]  holding time in ms                        (little-endian)
 * </pre>
 * A trailing piece shorter than a record is ignored. Without multipath: accept and ignore.
 */
public record QosMeasurement(List<Sample> samples) implements VerbPayload {
    /** Bytes of one record. */
    public static final int RECORD_LENGTH = 10;

    /** One measurement: how long the packet was held before this report. */
    public record Sample(long packetId, int holdingTimeMs) {
        public Sample {
            Bytes.requireU16(holdingTimeMs, "holding time");
        }
    }

    public QosMeasurement {
        samples = List.copyOf(samples);
    }

    @Override
    public int verbCode() {
        return Verb.QOS_MEASUREMENT.code();
    }

    public static QosMeasurement decode(ByteReader r) throws WireFormatException {
        List<Sample> list = new ArrayList<>(r.remaining() / RECORD_LENGTH);
        while (r.remaining() >= RECORD_LENGTH) {
            long id = Long.reverseBytes(r.readU64("packet id"));
            int time = Integer.reverseBytes(r.readU16("holding time")) >>> 16;
            list.add(new Sample(id, time));
        }
        return new QosMeasurement(list);
    }

    @Override
    public void encode(ByteWriter w) {
        for (Sample s : samples) {
            w.u64(Long.reverseBytes(s.packetId()));
            w.u16(Integer.reverseBytes(s.holdingTimeMs()) >>> 16);
        }
    }
}
