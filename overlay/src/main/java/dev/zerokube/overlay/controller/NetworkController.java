package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/**
 * The network controller (ZT1-09), sans-I/O: the node layer hands it each NETWORK_CONFIG_REQUEST
 * ({@link #onConfigRequest}) and the policy store's changes ({@link #onPolicyChange}); it answers
 * with a {@link ConfigDecision} and a list of {@link ControllerEffect}s to send. Time and
 * randomness are arguments; the controller signs with its own identity, whose address is the top
 * 40 bits of every network id it serves.
 *
 * <p>Request path (ZT1-09 §1.3, §3): a network of another controller → ignored; within 1 s of the
 * member's previous accepted request → ignored; otherwise the request is recorded as the member's
 * {@link LastRequest} and {@link RequestHandler} decides. Pushes replay a member's last authorized
 * request without rate limit; a refused push sends nothing. Revocations are signed with threshold
 * = {@code nowMs}, so use the clock that stamps COMs.
 *
 * <p>Not thread-safe: call it from one thread (which also serializes IP allocation per network,
 * quirk Q9).
 */
public final class NetworkController {
    private final Identity identity;
    private final PolicyStore store;
    private final RandomGenerator random;
    private final CredentialIssuer issuer;
    private final MemberStatusTable status;
    private final RequestHandler handler;

    /**
     * @param identity the controller identity with its private key
     * @param store where networks and members live
     * @param random for revocation ids and IPv6 pool trials beyond the first
     */
    public NetworkController(Identity identity, PolicyStore store, RandomGenerator random) {
        this(identity, store, random, MemberStatusTable.ENTRIES_MAX);
    }

    NetworkController(Identity identity, PolicyStore store, RandomGenerator random, int statusEntriesMax) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.store = Objects.requireNonNull(store, "store");
        this.random = Objects.requireNonNull(random, "random");
        this.issuer = new CredentialIssuer(identity);
        this.status = new MemberStatusTable(statusEntriesMax);
        this.handler = new RequestHandler(store, new ConfigAssembler(issuer), status, random);
    }

    /** The controller identity (with its private key). */
    public Identity identity() {
        return identity;
    }

    /**
     * Answers a genuine NETWORK_CONFIG_REQUEST.
     *
     * @param requester the sender's full public identity, as the node knows it
     * @param metadata the request's metadata dictionary
     * @param physicalAddress where the request came from, {@link InetEndpoint#NIL} if relayed
     */
    public ConfigDecision onConfigRequest(long nowMs, Identity requester, NetworkId networkId,
            ConfigRequestMetadata metadata, InetEndpoint physicalAddress) {
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(physicalAddress, "physicalAddress");
        if (!networkId.controller().equals(identity.address())) {
            return new ConfigDecision.Ignore(IgnoreReason.FOREIGN_NETWORK);
        }
        Address member = requester.address();
        if (!status.admit(networkId, member, nowMs)) {
            return new ConfigDecision.Ignore(IgnoreReason.RATE_LIMITED);
        }
        if (store.network(networkId).isPresent()) {
            store.recordRequest(networkId, member, new LastRequest(nowMs, physicalAddress, ClientVersion.of(metadata)));
        }
        return handler.handle(nowMs, requester, networkId, metadata, true);
    }

    /**
     * What to send because of a change someone else made to the policy (ZT1-09 §5): fresh configs
     * for the online members it concerns, then COM revocations. Changes to networks of another
     * controller are ignored.
     */
    public List<ControllerEffect> onPolicyChange(long nowMs, PolicyChange change) {
        Objects.requireNonNull(change, "change");
        PushPlanner.Plan plan = PushPlanner.plan(change, status, nowMs);
        if (!plan.networkId().controller().equals(identity.address())) {
            return List.of();
        }
        List<ControllerEffect> out = new ArrayList<>();
        for (MemberStatusTable.Replay r : plan.replays()) {
            if (handler.handle(nowMs, r.identity(), plan.networkId(), r.metadata(), false)
                    instanceof ConfigDecision.Reply reply) {
                out.add(new ControllerEffect.PushConfig(r.member(), reply.config()));
            }
        }
        for (Address target : plan.revoked()) {
            Revocation revocation = issuer.revokeCertificateOfMembership(random.nextInt() & 0xffff_ffffL,
                    plan.networkId(), target, nowMs);
            for (Address to : plan.recipients()) {
                out.add(new ControllerEffect.SendRevocation(to, revocation));
            }
        }
        return out;
    }

    /**
     * Assigns an authorized member its addresses now, as its next config would (ZT1-09 §4.6:
     * stored assignments kept, a pool address appended per family the network assigns from), and
     * writes them to its record (compare-and-set, retried on conflict). The Kubernetes operator
     * calls this when a Member appears, so that a pod's interface can be configured from the
     * Member before the pod's node first asks for its config. Nothing is written for an
     * unauthorized member (1.14.1 assigns only when it answers an authorized request).
     *
     * @return the member record afterwards; empty if the network or the member does not exist or
     *     writes kept conflicting
     */
    public Optional<MemberRecord> assignAddresses(NetworkId networkId, Address member) {
        for (int attempt = 0; attempt < RequestHandler.WRITE_ATTEMPTS_MAX; attempt++) {
            Optional<NetworkRecord> network = store.network(networkId);
            Optional<MemberRecord> stored = store.member(networkId, member);
            if (network.isEmpty() || stored.isEmpty()) {
                return Optional.empty();
            }
            if (!stored.get().authorized()) {
                return stored;
            }
            StaticIpAssigner.Result ips = StaticIpAssigner.assign(network.get(), stored.get(),
                    ConfigAssembler.issuedRoutes(network.get()), store.summary(networkId), random);
            MemberRecord next = stored.get().toBuilder().ipAssignments(ips.ipAssignments()).build();
            MemberWrite write = store.writeMember(next, OptionalLong.of(stored.get().revision()));
            if (write.outcome() != MemberWrite.Outcome.CONFLICT) {
                return write.stored();
            }
        }
        return Optional.empty();
    }

    /** Whether the member asked for this network's config within the last 120 s. */
    public boolean isOnline(NetworkId networkId, Address member, long nowMs) {
        return status.isOnline(networkId, member, nowMs);
    }
}
