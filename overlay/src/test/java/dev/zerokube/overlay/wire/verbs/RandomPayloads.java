package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** Seeded random values of every verb payload type, for round-trip and truncation tests. */
final class RandomPayloads {
    private final SplittableRandom rnd;

    RandomPayloads(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** One random payload of a randomly chosen type (every permitted type is reachable). */
    VerbPayload any() {
        List<Supplier<VerbPayload>> makers = makers();
        return makers.get(rnd.nextInt(makers.size())).get();
    }

    List<Supplier<VerbPayload>> makers() {
        return List.of(() -> Nop.INSTANCE, this::hello, this::error, this::ok, this::whois, this::rendezvous,
                this::frame, this::extFrame, () -> new Echo(bytes(40)), this::like, this::credentials,
                this::configRequest, () -> new NetworkConfig(chunk()), this::gather, this::multicastFrame,
                this::pushDirectPaths, () -> new Ack(bytes(8)), this::qos, () -> new UserMessage(rnd.nextLong(), bytes(30)),
                this::remoteTrace, () -> new PathNegotiationRequest((short) rnd.nextInt(65536)), this::unassigned);
    }

    int u8() {
        return rnd.nextInt(256);
    }

    int u16() {
        return rnd.nextInt(65536);
    }

    long u32() {
        return rnd.nextLong() & 0xffff_ffffL;
    }

    byte[] bytes(int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return b;
    }

    byte[] exactly(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    NetworkId networkId() {
        return new NetworkId(rnd.nextLong());
    }

    Address address() {
        return new Address(rnd.nextLong() & Address.MASK);
    }

    Address nodeAddress() {
        long v;
        do {
            v = rnd.nextLong() & Address.MASK;
        } while (new Address(v).isReserved());
        return new Address(v);
    }

    Identity identity() {
        return new Identity(nodeAddress(), exactly(Identity.KEY_LENGTH), null);
    }

    InetEndpoint endpoint() {
        return switch (rnd.nextInt(3)) {
            case 0 -> InetEndpoint.NIL;
            case 1 -> InetEndpoint.of(exactly(4), u16());
            default -> InetEndpoint.of(exactly(16), u16());
        };
    }

    MulticastGroup group() {
        return new MulticastGroup(new Mac(rnd.nextLong() & 0xffff_ffff_ffffL), u32());
    }

    <T> List<T> list(int max, Supplier<T> each) {
        int n = rnd.nextInt(max + 1);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(each.get());
        }
        return out;
    }

    // ---- credentials: random bytes in the ZT1-05 layouts, read by the credential codecs ----

    void signatureBlock(ByteWriter w) {
        w.u8(1).u16(96).bytes(exactly(96));
    }

    private static <T> T read(byte[] bytes, Decoder<T> decoder) {
        try {
            return decoder.decode(new ByteReader(bytes, "generated credential"));
        } catch (WireFormatException e) {
            throw new IllegalStateException("generated credential does not decode: " + e.what(), e);
        }
    }

    private interface Decoder<T> {
        T decode(ByteReader r) throws WireFormatException;
    }

    CertificateOfMembership com() {
        ByteWriter w = new ByteWriter();
        int n = rnd.nextInt(9);
        w.u8(1).u16(n);
        long id = rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            id += rnd.nextInt(3);
            w.u64(id).u64(rnd.nextLong()).u64(rnd.nextLong());
        }
        if (rnd.nextInt(5) == 0) {
            w.u40(0);
        } else {
            w.u40(nodeAddress().value()).bytes(exactly(96));
        }
        return read(w.toByteArray(), CertificateOfMembership::decode);
    }

    Capability capability() {
        ByteWriter w = new ByteWriter();
        w.u64(rnd.nextLong()).u64(rnd.nextLong()).u32(u32());
        int rules = rnd.nextInt(4);
        w.u16(rules);
        for (int i = 0; i < rules; i++) {
            w.u8(rnd.nextInt(2)).u8(0); // DROP or ACCEPT, no payload
        }
        int max = 1 + rnd.nextInt(7);
        w.u8(max);
        int chain = rnd.nextInt(max + 1);
        for (int i = 0; i < chain; i++) {
            w.u40(nodeAddress().value()).u40(nodeAddress().value());
            signatureBlock(w);
        }
        w.u40(0).u16(0);
        return read(w.toByteArray(), Capability::decode);
    }

    Tag tag() {
        ByteWriter w = new ByteWriter();
        w.u64(rnd.nextLong()).u64(rnd.nextLong()).u32(u32()).u32(u32()).u40(nodeAddress().value())
                .u40(nodeAddress().value());
        signatureBlock(w);
        w.u16(0);
        return read(w.toByteArray(), Tag::decode);
    }

    Revocation revocation() {
        ByteWriter w = new ByteWriter();
        w.u32(0).u32(u32()).u64(rnd.nextLong()).u32(0).u32(u32()).u64(rnd.nextLong()).u64(rnd.nextLong())
                .u40(nodeAddress().value()).u40(nodeAddress().value()).u8(1 + rnd.nextInt(4));
        signatureBlock(w);
        w.u16(0);
        return read(w.toByteArray(), Revocation::decode);
    }

    CertificateOfOwnership coo() {
        ByteWriter w = new ByteWriter();
        int things = rnd.nextInt(17);
        w.u64(rnd.nextLong()).u64(rnd.nextLong()).u64(rnd.nextLong()).u32(u32()).u16(things);
        for (int i = 0; i < things; i++) {
            w.u8(rnd.nextInt(4)).bytes(exactly(16));
        }
        w.u40(nodeAddress().value()).u40(nodeAddress().value());
        signatureBlock(w);
        w.u16(0);
        return read(w.toByteArray(), CertificateOfOwnership::decode);
    }

    // ---- payloads ----

    Hello hello() {
        InetEndpoint sentTo = rnd.nextInt(5) == 0 ? null : endpoint();
        Hello.Planet planet = sentTo == null || rnd.nextInt(5) == 0 ? null : new Hello.Planet(rnd.nextLong(), rnd.nextLong());
        List<Hello.Moon> moons = planet == null || rnd.nextInt(5) == 0 ? null
                : list(4, () -> new Hello.Moon(rnd.nextInt(3) == 0 ? u8() : 127, rnd.nextLong(), rnd.nextLong()));
        return new Hello(u8(), u8(), u8(), u16(), rnd.nextLong(), identity(), sentTo, planet, moons);
    }

    ErrorReply error() {
        int code = rnd.nextInt(4) == 0 ? u8() : rnd.nextInt(10);
        NetworkId nwid = ErrorCode.carriesNetworkId(code) ? networkId() : null;
        MulticastGroup g = code == 8 ? group() : null;
        byte[] data = ErrorCode.carriesErrorData(code) && rnd.nextBoolean() ? bytes(50) : null;
        return new ErrorReply(u8(), rnd.nextLong(), code, nwid, g, data);
    }

    OkReply ok() {
        OkBody body = switch (rnd.nextInt(9)) {
            case 0 -> {
                InetEndpoint reported = rnd.nextInt(4) == 0 ? null : endpoint();
                byte[] worlds = reported == null || rnd.nextBoolean() ? null : bytes(300);
                yield new HelloOk(rnd.nextLong(), u8(), u8(), u8(), u16(), reported, worlds);
            }
            case 1 -> {
                List<Identity> ids = list(2, this::identity);
                ids.add(identity());
                yield new WhoisOk(ids);
            }
            case 2 -> new ExtFrameOk(networkId());
            case 3 -> new EchoOk(bytes(30));
            case 4 -> new NetworkConfigRequestOk(chunk());
            case 5 -> new NetworkConfigOk(networkId(), rnd.nextLong());
            case 6 -> new MulticastGatherOk(networkId(), group(), results());
            case 7 -> {
                int flags = u8();
                yield new MulticastFrameOk(networkId(), group(), flags, (flags & 1) != 0 ? com() : null,
                        (flags & 2) != 0 ? results() : null);
            }
            default -> {
                int inRe;
                do {
                    inRe = u8();
                } while (OtherOk.TYPED.contains(inRe));
                yield new OtherOk(inRe, bytes(30));
            }
        };
        return new OkReply(rnd.nextLong(), body);
    }

    GatherResults results() {
        return new GatherResults(u32(), list(6, this::address));
    }

    ConfigChunk chunk() {
        byte[] data = bytes(200);
        ConfigChunk.Signed signed = rnd.nextInt(5) == 0 ? null
                : rnd.nextInt(4) == 0
                        ? new ConfigChunk.Signed(u8(), rnd.nextLong(), u32(), u32(), u8(), bytes(120))
                        : ConfigChunk.Signed.c25519(rnd.nextInt(2), rnd.nextLong(), u32(), u32(), exactly(96));
        return new ConfigChunk(networkId(), data, signed);
    }

    Whois whois() {
        return new Whois(list(5, this::address));
    }

    Rendezvous rendezvous() {
        int len = switch (rnd.nextInt(4)) {
            case 0 -> 4;
            case 1 -> 16;
            case 2 -> 0;
            default -> rnd.nextInt(30);
        };
        return new Rendezvous(u8(), address(), u16(), exactly(len));
    }

    Frame frame() {
        return new Frame(networkId(), u16(), bytes(100));
    }

    ExtFrame extFrame() {
        int flags = u8();
        return new ExtFrame(networkId(), flags, (flags & 1) != 0 ? com() : null,
                new Mac(rnd.nextLong() & 0xffff_ffff_ffffL), new Mac(rnd.nextLong() & 0xffff_ffff_ffffL), u16(),
                bytes(100));
    }

    MulticastLike like() {
        return new MulticastLike(list(6, () -> new MulticastLike.Subscription(networkId(), group())));
    }

    NetworkCredentials credentials() {
        return new NetworkCredentials(list(2, this::com), list(2, this::capability), list(3, this::tag),
                list(2, this::revocation), list(2, this::coo));
    }

    NetworkConfigRequest configRequest() {
        return new NetworkConfigRequest(networkId(), bytes(100), rnd.nextBoolean() ? null
                : new NetworkConfigRequest.CurrentConfig(rnd.nextLong(), rnd.nextLong()));
    }

    MulticastGather gather() {
        int flags = u8();
        CertificateOfMembership com = (flags & 1) != 0 && rnd.nextInt(4) != 0 ? com() : null;
        return new MulticastGather(networkId(), flags, group(), u32(), com);
    }

    MulticastFrame multicastFrame() {
        int flags = u8();
        return new MulticastFrame(networkId(), flags, (flags & 1) != 0 ? com() : null, (flags & 2) != 0 ? u32() : 0,
                (flags & 4) != 0 ? new Mac(rnd.nextLong() & 0xffff_ffff_ffffL) : null, group(), u16(), bytes(100));
    }

    PushDirectPaths pushDirectPaths() {
        return new PushDirectPaths(list(5, () -> rnd.nextBoolean()
                ? PushDirectPaths.PathRecord.of(u8(), randomIp())
                : new PushDirectPaths.PathRecord(u8(), bytes(6), u8(), bytes(20))));
    }

    InetEndpoint randomIp() {
        return rnd.nextBoolean() ? InetEndpoint.of(exactly(4), u16()) : InetEndpoint.of(exactly(16), u16());
    }

    QosMeasurement qos() {
        return new QosMeasurement(list(6, () -> new QosMeasurement.Sample(rnd.nextLong(), u16())));
    }

    RemoteTrace remoteTrace() {
        return new RemoteTrace(list(3, this::noNul), rnd.nextInt(4) == 0 ? noNul() : new byte[0]);
    }

    byte[] noNul() {
        byte[] b = bytes(40);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                b[i] = 'x';
            }
        }
        return b;
    }

    UnassignedVerb unassigned() {
        int[] codes = {0x0f, 0x11, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
        return new UnassignedVerb(codes[rnd.nextInt(codes.length)], bytes(30));
    }
}
