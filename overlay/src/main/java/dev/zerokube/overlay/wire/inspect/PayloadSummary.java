package dev.zerokube.overlay.wire.inspect;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CredentialType;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.verbs.Ack;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.Echo;
import dev.zerokube.overlay.wire.verbs.EchoOk;
import dev.zerokube.overlay.wire.verbs.ErrorReply;
import dev.zerokube.overlay.wire.verbs.ExtFrame;
import dev.zerokube.overlay.wire.verbs.ExtFrameOk;
import dev.zerokube.overlay.wire.verbs.Frame;
import dev.zerokube.overlay.wire.verbs.GatherResults;
import dev.zerokube.overlay.wire.verbs.Hello;
import dev.zerokube.overlay.wire.verbs.HelloOk;
import dev.zerokube.overlay.wire.verbs.MulticastFrame;
import dev.zerokube.overlay.wire.verbs.MulticastFrameOk;
import dev.zerokube.overlay.wire.verbs.MulticastGather;
import dev.zerokube.overlay.wire.verbs.MulticastGatherOk;
import dev.zerokube.overlay.wire.verbs.MulticastLike;
import dev.zerokube.overlay.wire.verbs.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.NetworkConfigOk;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequest;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequestOk;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import dev.zerokube.overlay.wire.verbs.Nop;
import dev.zerokube.overlay.wire.verbs.OkBody;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.OtherOk;
import dev.zerokube.overlay.wire.verbs.PathNegotiationRequest;
import dev.zerokube.overlay.wire.verbs.PushDirectPaths;
import dev.zerokube.overlay.wire.verbs.QosMeasurement;
import dev.zerokube.overlay.wire.verbs.RemoteTrace;
import dev.zerokube.overlay.wire.verbs.Rendezvous;
import dev.zerokube.overlay.wire.verbs.UnassignedVerb;
import dev.zerokube.overlay.wire.verbs.UserMessage;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import dev.zerokube.overlay.wire.verbs.Whois;
import dev.zerokube.overlay.wire.verbs.WhoisOk;
import java.util.List;
import java.util.function.Function;

/**
 * One line saying what a decoded verb payload holds: the fields a person debugging a network looks
 * for first (network ids, addresses, endpoints, MACs and ethertype, world id and timestamp). The
 * switch is exhaustive over the sealed payload types, so a new verb cannot be forgotten here.
 */
final class PayloadSummary {
    /** Lists longer than this are cut with "...". */
    private static final int LIST_MAX = 8;
    /** Network id and config update id. */
    private static final int NETWORK_CONFIG_OK_LENGTH = 16;

    private PayloadSummary() {}

    /**
     * @param payload the decoded payload
     * @param source the packet's source address (FRAME's MACs are derived from the addresses)
     * @param destination the packet's destination address
     */
    static String of(VerbPayload payload, long source, long destination) {
        return switch (payload) {
            case Nop n -> "no payload";
            case Hello h -> String.format("protocol %d, version %d.%d.%d, identity %s, sent to %s, %s, %d moon(s), clock %d",
                    h.protocolVersion(), h.majorVersion(), h.minorVersion(), h.revision(), h.identity().address(),
                    endpoint(h.sentTo()), h.planet() == null ? "no planet"
                            : String.format("planet 0x%x timestamp %d", h.planet().id(), h.planet().timestamp()),
                    h.moons().size(), h.timestamp());
            case ErrorReply e -> String.format("in re %s %016x: %s%s", DatagramRecord.verbName(e.inReVerb()),
                    e.inRePacketId(), DatagramRecord.errorCodeName(e.errorCode()),
                    e.networkId() == null ? "" : " network " + e.networkId())
                    + (e.group() == null ? "" : " group " + e.group())
                    + (e.errorData() == null ? "" : ", " + e.errorData().length + " bytes of error data");
            case OkReply ok -> String.format("in re %s %016x: ", DatagramRecord.verbName(ok.inReVerb()), ok.inRePacketId())
                    + ok(ok.body());
            case Whois w -> "who is " + list(w.addresses(), Address::toString);
            case Rendezvous r -> "meet " + r.with() + " at " + endpoint(r.endpoint());
            case Frame f -> String.format("network %s %s > %s %s", f.networkId(),
                    Mac.fromAddress(source, f.networkId().value()), Mac.fromAddress(destination, f.networkId().value()),
                    Ethernet.describe(f.etherType(), f.data()));
            case ExtFrame f -> String.format("network %s flags 0x%02x %s > %s %s", f.networkId(), f.flags(), f.from(),
                    f.to(), Ethernet.describe(f.etherType(), f.data()));
            case Echo e -> e.data().length + " bytes";
            case MulticastLike l -> "likes " + list(l.subscriptions(), s -> s.networkId() + " " + s.group());
            case NetworkCredentials c -> credentials(c);
            case NetworkConfigRequest r -> String.format("network %s, metadata %d bytes%s", r.networkId(),
                    r.metadata().length, r.current() == null ? ""
                            : String.format(", has revision %d timestamp %d", r.current().revision(), r.current().timestamp()));
            case NetworkConfig c -> chunk(c.chunk());
            case MulticastGather g -> String.format("network %s group %s limit %d%s", g.networkId(), g.group(),
                    g.gatherLimit(), g.com() == null ? "" : " with COM");
            case MulticastFrame f -> String.format("network %s group %s from %s%s %s", f.networkId(), f.group(),
                    f.source() == null ? Mac.fromAddress(source, f.networkId().value()) : f.source(),
                    (f.flags() & MulticastFrame.FLAG_GATHER_LIMIT) != 0 ? " gather limit " + f.gatherLimit() : "",
                    Ethernet.describe(f.etherType(), f.data()));
            case PushDirectPaths p -> "paths " + list(p.paths(), PayloadSummary::path);
            case Ack a -> a.data().length + " bytes";
            case QosMeasurement q -> q.samples().size() + " sample(s)";
            case UserMessage m -> String.format("type %016x, %d bytes", m.typeId(), m.data().length);
            case RemoteTrace t -> t.traces().size() + " trace dictionaries";
            case PathNegotiationRequest p -> "utility " + p.utility();
            case UnassignedVerb u -> "unassigned verb, " + u.payload().length + " bytes (accepted and ignored)";
        };
    }

    private static String ok(OkBody body) {
        return switch (body) {
            case HelloOk h -> String.format("protocol %d, version %d.%d.%d, sees the sender at %s, clock echo %d, %d bytes of world updates",
                    h.protocolVersion(), h.majorVersion(), h.minorVersion(), h.revision(), endpoint(h.reportedAddress()),
                    h.timestampEcho(), h.worldUpdates() == null ? 0 : h.worldUpdates().length);
            case WhoisOk w -> "identity " + list(w.identities(), id -> id.address().toString());
            case ExtFrameOk e -> "network " + e.networkId();
            case EchoOk e -> echoed(e);
            case NetworkConfigRequestOk c -> chunk(c.chunk());
            case NetworkConfigOk c -> String.format("network %s config update %016x applied", c.networkId(), c.configUpdateId());
            case MulticastGatherOk g -> String.format("network %s group %s: %s", g.networkId(), g.group(), gather(g.results()));
            case MulticastFrameOk f -> String.format("network %s group %s%s", f.networkId(), f.group(),
                    f.results() == null ? "" : ": " + gather(f.results()));
            case OtherOk o -> o.data().length + " bytes";
        };
    }

    /** 1.14.1 acknowledges a NETWORK_CONFIG with an OK in re ECHO: say so when the bytes fit. */
    private static String echoed(EchoOk e) {
        NetworkConfigOk config = e.data().length == NETWORK_CONFIG_OK_LENGTH ? NetworkConfigOk.fromEchoOk(e) : null;
        return e.data().length + " bytes echoed" + (config == null ? "" : String.format(
                " (as 1.14.1 acknowledges a config: network %s update %016x)", config.networkId(), config.configUpdateId()));
    }

    private static String chunk(ConfigChunk c) {
        ConfigChunk.Signed s = c.signed();
        if (s == null) {
            return String.format("network %s config, %d bytes (legacy unsigned chunk)", c.networkId(), c.data().length);
        }
        return String.format("network %s config bytes %d..%d of %d, update %016x%s, %s", c.networkId(), s.chunkOffset(),
                s.chunkOffset() + c.data().length, s.totalLength(), s.configUpdateId(),
                s.fastPropagate() ? ", fast propagate" : "", s.isC25519() ? "signed" : "unusable signature");
    }

    private static String gather(GatherResults r) {
        return r.members().size() + " of " + r.totalKnown() + " member(s) " + list(r.members(), Address::toString);
    }

    private static String credentials(NetworkCredentials c) {
        StringBuilder b = new StringBuilder();
        b.append(c.coms().size()).append(" COM(s)");
        for (CertificateOfMembership m : c.coms()) {
            b.append(" [network ").append(m.networkId()).append(" for ").append(m.issuedTo()).append(']');
        }
        b.append(", ").append(c.capabilities().size()).append(" capability(ies), ").append(c.tags().size())
                .append(" tag(s), ").append(c.revocations().size()).append(" revocation(s)");
        for (Revocation r : c.revocations()) {
            CredentialType type = CredentialType.ofCode(r.credentialType());
            b.append(" [").append(type == null ? "type " + r.credentialType() : type.name()).append(" of ")
                    .append(r.target()).append(" on ").append(r.networkId()).append(" up to ")
                    .append(r.thresholdMs()).append(']');
        }
        return b.append(", ").append(c.coos().size()).append(" COO(s)").toString();
    }

    private static String path(PushDirectPaths.PathRecord p) {
        InetEndpoint e = p.endpoint();
        String where = e == null ? "address type " + p.addressType() : e.toString();
        return where + (p.forget() ? " (forget)" : "") + (p.clusterRedirect() ? " (redirect)" : "");
    }

    private static String endpoint(InetEndpoint e) {
        return e == null || e.isNil() ? "(none)" : e.toString();
    }

    private static <T> String list(List<T> items, Function<T, String> show) {
        if (items.isEmpty()) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < items.size() && i < LIST_MAX; i++) {
            b.append(i == 0 ? "" : ", ").append(show.apply(items.get(i)));
        }
        if (items.size() > LIST_MAX) {
            b.append(", ... (").append(items.size()).append(" in all)");
        }
        return b.toString();
    }
}
