package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Datagram;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: a packet from an unknown sender is parked while the leaf asks the root WHOIS; what the
 * answer says decides its fate. A bogus identity (the sender's address with a key that fails the
 * proof of work) or an identity nobody asked about creates no peer and the packet is dropped after
 * 5 s; the sender's true identity gets the packet processed (the control case, proving the forgery
 * machinery works). Method: seeded simulation with a root and a leaf; the stranger is a raw probe
 * that sends a real ECHO armored for the leaf; the test, holding the root's key, answers the
 * leaf's WHOIS on the root's behalf (a lying or compromised root).
 */
class ForgedWhoisAnswerSimTest {
    static LongStream seeds() {
        return Simulation.seeds(41, 42);
    }

    /** The sender's address, but a key whose memory-hard digest does not give that address. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aBogusIdentityInOkWhoisIsRefusedAndThePacketDropped(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Identity stranger = SimIdentities.get(22);
            byte[] key = new byte[Identity.KEY_LENGTH];
            sim.random().nextBytes(key);
            Identity bogus = new Identity(stranger.address(), key, null);
            Outcome o = run(sim, stranger, real -> bogus);
            assertTrue(o.forged >= 1, "the OK(WHOIS) was forged");
            assertTrue(o.leaf.node().peer(stranger.address(), sim.nowMs()).isEmpty(), "no peer from a bogus identity");
            assertTrue(o.leaf.node().dropCount(DropReason.BAD_IDENTITY) >= 1);
            assertTrue(o.leaf.node().dropCount(DropReason.UNKNOWN_SOURCE) >= 1, "the parked ECHO expired");
            assertEquals(0, o.leaf.node().usage().parked());
            assertTrue(o.probe.received().isEmpty(), "the stranger got no answer");
        });
    }

    /** A valid identity, but not the one asked about: a root cannot plant peers. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anIdentityNobodyAskedAboutIsRefused(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Identity stranger = SimIdentities.get(22);
            Identity other = SimIdentities.get(21).publicOnly();
            Outcome o = run(sim, stranger, real -> other);
            assertTrue(o.forged >= 1);
            assertTrue(o.leaf.node().peer(other.address(), sim.nowMs()).isEmpty());
            assertTrue(o.leaf.node().peer(stranger.address(), sim.nowMs()).isEmpty());
            assertTrue(o.leaf.node().dropCount(DropReason.UNTRUSTED_SENDER) >= 1);
            assertTrue(o.probe.received().isEmpty());
        });
    }

    /** Control: the true identity makes the leaf process the parked ECHO and answer it. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theTrueIdentityLetsTheParkedPacketThrough(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Identity stranger = SimIdentities.get(22);
            Outcome o = run(sim, stranger, real -> stranger.publicOnly());
            assertTrue(o.forged >= 1);
            assertTrue(o.leaf.node().peer(stranger.address(), sim.nowMs()).isPresent());
            Armor armor = new Armor(stranger.agree(o.leaf.identity()));
            assertTrue(o.probe.received().stream().anyMatch(d -> {
                byte[] p = d.data().clone();
                return Datagram.classify(p, 0, p.length) == Datagram.Kind.PACKET
                        && armor.dearmor(p, 0, p.length) == Armor.Verdict.AUTHENTICATED
                        && PacketHeader.verb(p, 0) == Verb.OK.code() && p[PacketHeader.IDX_PAYLOAD] == Verb.ECHO.code();
            }), "the stranger got its OK(ECHO)");
        });
    }

    private static final class Outcome {
        SimNode leaf;
        Probe probe;
        int forged;
    }

    /**
     * Root and leaf online; the stranger (a probe at 198.18.100.7) sends the leaf an ECHO; every
     * WHOIS from the leaf is answered, as if by the root, with {@code answer(stranger)}.
     */
    private static Outcome run(Simulation sim, Identity stranger, Function<Identity, Identity> answer) {
        Star star = Star.start(sim, 1, false);
        SimNode root = star.root();
        SimNode leaf = star.leaves().getFirst();
        assertTrue(sim.runUntil(star::online, 10_000));
        Outcome o = new Outcome();
        o.leaf = leaf;
        o.probe = sim.addProbe(Simulation.endpoint(100, 7));
        Armor rootArmor = new Armor(root.identity().agree(leaf.identity()));
        // The leaf's WHOIS never reaches the root (which does not know the stranger anyway): the
        // "root" answers it at once with whatever this test wants.
        sim.network().setTamperer(d -> {
            if (!d.from().equals(leaf.endpoint()) || !d.to().equals(root.endpoint())) {
                return d;
            }
            byte[] p = d.data().clone();
            if (Datagram.classify(p, 0, p.length) != Datagram.Kind.PACKET
                    || rootArmor.dearmor(p, 0, p.length) != Armor.Verdict.AUTHENTICATED
                    || PacketHeader.verb(p, 0) != Verb.WHOIS.code()) {
                return d;
            }
            ByteWriter w = new ByteWriter();
            w.u8(Verb.WHOIS.code()).bytes(Arrays.copyOfRange(d.data(), 0, 8)); // in-re: the WHOIS's on-wire id
            answer.apply(stranger).encode(w, false);
            byte[] body = w.toByteArray();
            byte[] q = new byte[PacketHeader.IDX_PAYLOAD + body.length];
            PacketHeader.writeHeader(q, 0, sim.random().nextLong(), leaf.address().value(), root.address().value(),
                    Verb.OK.code());
            System.arraycopy(body, 0, q, PacketHeader.IDX_PAYLOAD, body.length);
            rootArmor.armor(q, 0, q.length, PacketHeader.cipher(d.data(), 0));
            o.forged++;
            return new SimDatagram(d.sentMs(), root.endpoint(), leaf.endpoint(), q, 0);
        });
        byte[] echo = new byte[PacketHeader.IDX_PAYLOAD + 5];
        PacketHeader.writeHeader(echo, 0, sim.random().nextLong(), leaf.address().value(), stranger.address().value(),
                Verb.ECHO.code());
        System.arraycopy("hello".getBytes(), 0, echo, PacketHeader.IDX_PAYLOAD, 5);
        new Armor(stranger.agree(leaf.identity())).armor(echo, 0, echo.length, PacketHeader.CIPHER_POLY1305_SALSA2012);
        o.probe.send(leaf.endpoint(), echo);
        sim.runFor(8_000);
        assertFalse(leaf.node().dropCount(DropReason.BAD_MAC) > 0, "nothing failed authentication");
        return o;
    }
}
