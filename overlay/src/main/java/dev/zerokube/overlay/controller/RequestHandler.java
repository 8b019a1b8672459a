package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/**
 * 1.14.1's {@code _request} after the ownership check and rate limit (ZT1-09 §3), for a genuine
 * request or a push that replays one:
 *
 * <ol>
 *   <li>no network → OBJECT_NOT_FOUND;
 *   <li>a pinned identity other than the requester's → ACCESS_DENIED (nothing saved); else the
 *       requester's identity is pinned;
 *   <li>{@link Admission}: denied → the record is saved (a new requester becomes a pending member)
 *       and ACCESS_DENIED; automatic authorization is written into the record;
 *   <li>genuine request: the member's versions are recorded and its identity and metadata kept
 *       for pushes;
 *   <li>{@link ConfigAssembler} builds the config; the changed record is saved before the reply.
 * </ol>
 * Record writes are compare-and-set on the revision read; on a conflict the request is rebuilt
 * from fresh reads, a few times at most.
 */
final class RequestHandler {
    /** Tries before a request that keeps conflicting with other writers is dropped. */
    static final int WRITE_ATTEMPTS_MAX = 3;

    private final PolicyStore store;
    private final ConfigAssembler assembler;
    private final MemberStatusTable status;
    private final RandomGenerator random;

    RequestHandler(PolicyStore store, ConfigAssembler assembler, MemberStatusTable status, RandomGenerator random) {
        this.store = store;
        this.assembler = assembler;
        this.status = status;
        this.random = random;
    }

    /**
     * @param genuine true for a request that came from the member, false for a push replaying its
     *     last one (no version update)
     */
    ConfigDecision handle(long nowMs, Identity requester, NetworkId networkId, ConfigRequestMetadata metadata,
            boolean genuine) {
        for (int attempt = 0; attempt < WRITE_ATTEMPTS_MAX; attempt++) {
            Optional<ConfigDecision> d = attempt(nowMs, requester.publicOnly(), networkId, metadata, genuine);
            if (d.isPresent()) {
                return d.get();
            }
        }
        return new ConfigDecision.Ignore(IgnoreReason.STORE_CONFLICT);
    }

    /** The decision, or empty when a write conflicted and the request must be rebuilt. */
    private Optional<ConfigDecision> attempt(long nowMs, Identity requester, NetworkId networkId,
            ConfigRequestMetadata metadata, boolean genuine) {
        Optional<NetworkRecord> network = store.network(networkId);
        if (network.isEmpty()) {
            return refuse(RefusalCode.OBJECT_NOT_FOUND);
        }
        Address address = requester.address();
        Optional<MemberRecord> stored = store.member(networkId, address);
        MemberRecord member = stored.orElseGet(() -> MemberRecord.builder(networkId, address, nowMs).build());
        if (member.identity().isPresent()) {
            if (!member.identity().get().equals(requester)) {
                return refuse(RefusalCode.ACCESS_DENIED);
            }
        } else {
            member = member.toBuilder().identity(Optional.of(requester)).build();
        }

        Admission.Verdict verdict = Admission.decide(network.get(), member, metadata, nowMs);
        switch (verdict) {
            case Admission.Verdict.Denied d -> {
                return write(member, stored) ? refuse(RefusalCode.ACCESS_DENIED) : Optional.empty();
            }
            case Admission.Verdict.AutoAuthorized a -> member = Admission.apply(a, member, nowMs);
            case Admission.Verdict.Authorized a -> { }
        }
        if (genuine) {
            member = member.toBuilder().clientVersion(ClientVersion.of(metadata)).build();
            status.remember(networkId, address, requester, metadata);
        }

        ConfigAssembler.Assembly assembly = assembler.assemble(network.get(), member, stored.isEmpty(),
                store.summary(networkId), requester, metadata, nowMs, random);
        if (!write(assembly.member(), stored)) {
            return Optional.empty();
        }
        if (assembly.config().toDictionary().isEmpty()) {
            return Optional.of(new ConfigDecision.Ignore(IgnoreReason.CONFIG_TOO_LARGE));
        }
        return Optional.of(new ConfigDecision.Reply(assembly.config()));
    }

    /** Compare-and-set against the record read; false on a conflict. */
    private boolean write(MemberRecord next, Optional<MemberRecord> read) {
        OptionalLong expected = read.map(r -> OptionalLong.of(r.revision())).orElse(OptionalLong.empty());
        return store.writeMember(next, expected).outcome() != MemberWrite.Outcome.CONFLICT;
    }

    private static Optional<ConfigDecision> refuse(RefusalCode code) {
        return Optional.of(new ConfigDecision.Refuse(code));
    }
}
