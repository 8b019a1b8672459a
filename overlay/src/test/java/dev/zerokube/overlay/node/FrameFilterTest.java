package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.rules.CapabilityDefinition;
import dev.zerokube.overlay.rules.CompiledRules;
import dev.zerokube.overlay.rules.NetworkRules;
import dev.zerokube.overlay.rules.RuleCompiler;
import dev.zerokube.overlay.rules.RuleTable;
import dev.zerokube.overlay.rules.SenderOwnership;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.wire.verbs.ExtFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: the rule drivers act on the evaluator's verdict as 1.14.1's filterOutgoingPacket and
 * filterIncomingPacket do: accept/drop, capabilities only on our side outbound and only the
 * sender's inbound, TEE/WATCH copies with the right flags and lengths and in the right order (also
 * when a capability accepted), none on the per-recipient pass, REDIRECT as a full copy instead of
 * the delivery, SUPER_ACCEPT for an observer. Method: rules compiled from the rule language, an
 * IPv4 frame built by hand, copies recorded.
 */
class FrameFilterTest {
    private static final long SELF = 0x1111111111L;
    private static final long PEER = 0x2222222222L;
    private static final long OBSERVER = 0x3333333333L;
    private static final long SRC_MAC = 0x020000000001L;
    private static final long DST_MAC = 0x020000000002L;

    record Copy(long to, int flags, long macDest, long macSource, int etherType, int len) {}

    private final List<Copy> copies = new ArrayList<>();
    private final FrameFilter.Copies sink = (to, flags, macDest, macSource, etherType, payload, off, len) ->
            copies.add(new Copy(to, flags, macDest, macSource, etherType, len));
    private final FrameFilter filter = new FrameFilter(new SplittableRandom(1));

    /** An IPv4 packet of {@code len} bytes with protocol {@code proto} (just zeros below 20 bytes). */
    static byte[] ipv4(int proto, int len) {
        byte[] p = new byte[len];
        if (len < 20) {
            return p;
        }
        p[0] = 0x45;
        p[9] = (byte) proto;
        p[12] = 10;
        p[15] = 1;
        p[16] = 10;
        p[19] = 2;
        return p;
    }

    private static NetworkRules rules(String source) throws Exception {
        CompiledRules c = RuleCompiler.compile(source);
        List<RuleTable> caps = new ArrayList<>();
        for (CapabilityDefinition d : c.capabilities()) {
            caps.add(RuleTable.ofCapability(d.id(), d.rules()));
        }
        return new NetworkRules(RuleTable.of(c.rules()), caps, TagValues.EMPTY, false);
    }

    private boolean out(NetworkRules r, long dest, boolean noTee, byte[] f) {
        return filter.outbound(r, SELF, dest, TagValues.EMPTY, SenderOwnership.NONE, noTee, SRC_MAC, DST_MAC, 0x0800, f,
                0, f.length, sink);
    }

    private int in(NetworkRules r, List<RuleTable> senderCaps, byte[] f) {
        return filter.inbound(r, SELF, PEER, TagValues.EMPTY, senderCaps, SenderOwnership.NONE, SRC_MAC, DST_MAC, 0x0800,
                f, 0, f.length, sink);
    }

    @Test
    void dropIcmpAcceptTheRestBothWays() throws Exception {
        NetworkRules r = rules("drop ipprotocol 1;\naccept;");
        assertFalse(out(r, PEER, false, ipv4(1, 40)));
        assertTrue(out(r, PEER, false, ipv4(6, 40)));
        assertEquals(FrameFilter.DROP, in(r, List.of(), ipv4(1, 40)));
        assertEquals(FrameFilter.ACCEPT, in(r, List.of(), ipv4(6, 40)));
        assertTrue(copies.isEmpty());
    }

    @Test
    void teeAndWatchCopiesCarry1141FlagsAndLengths() throws Exception {
        NetworkRules tee = rules("tee 16 3333333333;\naccept;");
        assertTrue(out(tee, PEER, false, ipv4(6, 40)));
        assertEquals(List.of(new Copy(OBSERVER, ExtFrame.FLAGS_TEE_OUTBOUND, DST_MAC, SRC_MAC, 0x0800, 16)), copies);
        copies.clear();
        assertTrue(out(tee, PEER, true, ipv4(6, 40)), "second pass of a multicast");
        assertTrue(copies.isEmpty(), "no copies with noTee");
        assertEquals(FrameFilter.ACCEPT, in(tee, List.of(), ipv4(6, 10)));
        assertEquals(List.of(new Copy(OBSERVER, ExtFrame.FLAGS_TEE_INBOUND, DST_MAC, SRC_MAC, 0x0800, 10)), copies);
        copies.clear();

        NetworkRules watch = rules("watch -1 3333333333;\naccept;");
        assertTrue(out(watch, PEER, false, ipv4(6, 40)));
        assertEquals(ExtFrame.FLAGS_WATCH_OUTBOUND, copies.getFirst().flags());
        assertEquals(40, copies.getFirst().len(), "length 0xffff: the whole frame");
        copies.clear();
        in(watch, List.of(), ipv4(6, 40));
        assertEquals(ExtFrame.FLAGS_WATCH_INBOUND, copies.getFirst().flags());
    }

    @Test
    void aDroppedFrameMakesNoCopy() throws Exception {
        NetworkRules r = rules("tee 0 3333333333;\ndrop ipprotocol 1;\naccept;");
        assertFalse(out(r, PEER, false, ipv4(1, 40)));
        assertTrue(copies.isEmpty());
        assertEquals(FrameFilter.DROP, in(r, List.of(), ipv4(1, 40)));
        assertTrue(copies.isEmpty());
    }

    @Test
    void redirectSendsTheWholeFrameElsewhereInstead() throws Exception {
        NetworkRules r = rules("redirect 3333333333 ipprotocol 6;\naccept;");
        assertFalse(out(r, PEER, false, ipv4(6, 300)), "not to the planned destination");
        assertEquals(List.of(new Copy(OBSERVER, ExtFrame.FLAGS_REDIRECT_OUTBOUND, DST_MAC, SRC_MAC, 0x0800, 300)), copies);
        copies.clear();
        assertEquals(FrameFilter.DROP, in(r, List.of(), ipv4(6, 300)));
        assertEquals(ExtFrame.FLAGS_REDIRECT_INBOUND, copies.getFirst().flags());
        copies.clear();
        assertTrue(out(r, PEER, false, ipv4(17, 30)));
        assertTrue(copies.isEmpty());
    }

    @Test
    void theObserverSuperAcceptsACopyAimedAtIt() throws Exception {
        NetworkRules r = rules("tee 0 1111111111;\naccept;");
        assertEquals(FrameFilter.SUPER_ACCEPT, in(r, List.of(), ipv4(6, 40)));
    }

    @Test
    void capabilitiesAreOursOutboundAndTheSendersInbound() throws Exception {
        NetworkRules r = rules("cap web id 7 tee 8 3333333333 ipprotocol 6; accept ipprotocol 6; ;\ntee 4 4444444444;\nbreak;");
        // Outbound: our own capability accepts TCP; its copy goes first, then the base table's.
        assertTrue(out(r, PEER, false, ipv4(6, 40)));
        assertEquals(List.of(new Copy(OBSERVER, ExtFrame.FLAGS_TEE_OUTBOUND, DST_MAC, SRC_MAC, 0x0800, 8),
                new Copy(0x4444444444L, ExtFrame.FLAGS_TEE_OUTBOUND, DST_MAC, SRC_MAC, 0x0800, 4)), copies);
        copies.clear();
        assertFalse(out(r, PEER, false, ipv4(17, 40)), "no capability accepts UDP: default drop");
        assertTrue(copies.isEmpty());
        // Inbound: our own capabilities do not widen what we receive; the sender's presented ones do.
        assertEquals(FrameFilter.DROP, in(r, List.of(), ipv4(6, 40)));
        assertEquals(FrameFilter.ACCEPT, in(r, r.capabilities(), ipv4(6, 40)));
        assertEquals(ExtFrame.FLAGS_TEE_INBOUND, copies.getFirst().flags());
    }
}
