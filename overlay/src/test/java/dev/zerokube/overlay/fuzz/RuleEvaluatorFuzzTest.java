package dev.zerokube.overlay.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.rules.FrameView;
import dev.zerokube.overlay.rules.NetworkRules;
import dev.zerokube.overlay.rules.RuleEvaluator;
import dev.zerokube.overlay.rules.RuleTable;
import dev.zerokube.overlay.rules.SenderOwnership;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.rules.Verdict;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.List;
import java.util.SplittableRandom;

// Goal: whatever rule bytes decode and whatever frame arrives, the rule evaluator only returns a
// verdict (no unchecked exception, no read outside the frame, no endless loop), in both directions,
// with a capability and tags. Method: the input splits (Framing) into base rule bytes, capability
// rule bytes, a parameter block (ethertype choice, MACs, addresses, tags, direction) and the frame.
class RuleEvaluatorFuzzTest {
    private static final SenderOwnership OWNS_EVEN = new SenderOwnership() {
        @Override
        public boolean ownsIp(byte[] buf, int offset, int length) {
            return (buf[offset + length - 1] & 1) == 0;
        }

        @Override
        public boolean ownsMac(long mac) {
            return (mac & 1) == 0;
        }
    };

    private final RuleEvaluator evaluator = new RuleEvaluator(new SplittableRandom(5));
    private final FrameView frame = new FrameView();
    private final Verdict verdict = new Verdict();

    @FuzzTest
    void evaluate(byte[] input) {
        List<byte[]> pieces = Framing.split(input, 4);
        List<RuleEntry> base;
        List<RuleEntry> cap;
        try {
            base = RuleCodec.decodeTable(new ByteReader(piece(pieces, 0), "base rules"), RuleCodec.BASE_TABLE_ENTRIES_MAX);
            cap = RuleCodec.decodeTable(new ByteReader(piece(pieces, 1), "capability rules"), RuleCodec.CAPABILITY_ENTRIES_MAX);
        } catch (WireFormatException e) {
            return; // refused: fine
        }
        byte[] p = java.util.Arrays.copyOf(piece(pieces, 2), 24);
        byte[] payload = piece(pieces, 3);
        int etherType = switch (p[0] & 3) {
            case 0 -> 0x0800;
            case 1 -> 0x86dd;
            case 2 -> 0x0806;
            default -> ((p[1] & 0xff) << 8) | (p[2] & 0xff);
        };
        long macSource = bits(p, 3, 6);
        long macDest = bits(p, 9, 6);
        long self = bits(p, 15, 2);
        long remote = bits(p, 17, 2);
        TagValues local = TagValues.of(new long[] {p[19] & 3}, new long[] {p[20] & 0xff});
        TagValues other = TagValues.of(new long[] {p[21] & 3}, new long[] {p[22] & 0xff});
        boolean inbound = (p[23] & 1) != 0;
        int offset = (p[23] >> 1) & 3;
        byte[] buf = new byte[offset + payload.length];
        System.arraycopy(payload, 0, buf, offset, payload.length);
        List<RuleTable> caps = List.of(RuleTable.ofCapability(1, cap));
        NetworkRules net = new NetworkRules(RuleTable.of(base), caps, local, (p[23] & 8) != 0);
        frame.set(buf, offset, payload.length, etherType, macSource, macDest, p[23] >> 5 & 3);
        if (inbound) {
            evaluator.filterInbound(net, frame, self, remote, other, caps, OWNS_EVEN, verdict);
        } else {
            evaluator.filterOutbound(net, frame, self, remote, other, OWNS_EVEN, (p[23] & 16) != 0, verdict);
        }
    }

    private static byte[] piece(List<byte[]> pieces, int i) {
        return i < pieces.size() ? pieces.get(i) : new byte[0];
    }

    private static long bits(byte[] b, int offset, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (b[offset + i] & 0xff);
        }
        return v;
    }
}
