package dev.zerokube.operator.controller;

import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.member.MemberStatus;
import dev.zerokube.operator.api.network.ControllerMode;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.controller.ClientVersion;
import dev.zerokube.overlay.controller.IpPool;
import dev.zerokube.overlay.controller.LastRequest;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.MemberTag;
import dev.zerokube.overlay.controller.MemberWrite;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.controller.NetworkSummary;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.controller.PolicyStore;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's {@link PolicyStore} over the Kubernetes API: networks are ZeroTierNetworks
 * (Embedded mode, with {@code status.networkId}), members are Members, both served from informer
 * caches (no other database).
 *
 * <p>Reading (ZT1-09 §2): a network is what {@link NetworkSpecReader} makes of its spec; while the
 * spec is invalid the last valid record read in this process is served (none after a restart,
 * so members keep the config they have). A member record is its Member's spec plus:
 * {@code authorized} also when the network is public, never while the Member is being deleted;
 * {@code ipAssignments} = spec.ipAssignments when given, else those of status.ipAssignments that
 * lie in the network's pools (what the allocator handed out); the pinned identity from the
 * annotation {@link WellKnownNames#ANNOTATION_IDENTITY} or, failing that, the one the first request
 * pinned in this process; revision = the numeric resourceVersion (so the revision of a written
 * record is the new resourceVersion, not the expected one + 1: compare-and-set only needs it to
 * change). Two Members with the same network and address: the older one counts.
 *
 * <p>Writing: the controller writes only member records, and only their status:
 * {@code status.ipAssignments} by a PUT of the status with the resourceVersion read (compare-and-
 * set; 409 is {@link MemberWrite.Outcome#CONFLICT}). A node without a Member that asks for a
 * config gets a pending Member ({@code authorized: false}, labels
 * {@link WellKnownNames#LABEL_PENDING} and {@link WellKnownNames#LABEL_NETWORK}, its identity in the
 * annotation) named {@code <address>-<network>} in the configured namespace, so that GitOps or
 * kubectl can authorize it. Request records ({@link #recordRequest}) stay in memory;
 * {@link #flushRequestStatus} writes them to status.online/lastSeen/physicalAddress/clientVersion
 * at a bounded rate.
 *
 * <p>Changes: informer events that change a record (not just its revision, and not the
 * controller's own writes) become {@link PolicyChange}s for the controller; any Member event also
 * names its network to {@code networkTouched} (member counts).
 *
 * <p>Thread safety: informer callbacks, the controller thread and the flusher share only
 * concurrent maps and the informers' thread-safe caches.
 */
public final class KubernetesPolicyStore implements PolicyStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesPolicyStore.class);
    /** 2 × ZT_NETWORK_AUTOCONF_DELAY: a member that asked this recently is online (ZT1-09 §5.1). */
    public static final long ONLINE_WINDOW_MS = 120_000;
    /** status.lastSeen is rewritten at most this often per member unless something else changed. */
    public static final long LAST_SEEN_RESOLUTION_MS = 300_000;

    private static final String BY_NETWORK_ID = "networkId";
    private static final String BY_NETWORK = "network";
    private static final String BY_NETWORK_ADDRESS = "networkAddress";

    private final KubernetesClient client;
    private final String pendingNamespace;
    private final Consumer<PolicyChange> changes;
    private final Consumer<String> networkTouched;
    private SharedIndexInformer<ZeroTierNetwork> networks;
    private SharedIndexInformer<Member> members;

    /** The last valid record per network uid, served while its spec is invalid. */
    private final Map<String, NetworkRecord> lastValid = new ConcurrentHashMap<>();
    /**
     * The record the change feed last announced per network uid, touched only by the network
     * handler. An update is a change when it serves something else than this. Not {@link #lastValid}:
     * every reader refreshes that, and the informer puts an object in its cache before it hands the
     * event to the handler, so a reader in between (a reconcile counting members, a config request)
     * made an edit look already announced, and online members never got the new config.
     */
    private final Map<String, NetworkRecord> announced = new ConcurrentHashMap<>();
    /** Identities pinned by requests, by (network id, address), for Members without the annotation. */
    private final Map<MemberKey, Identity> pins = new ConcurrentHashMap<>();
    /** Request records by (network id, address): status, kept in memory (ZT1-09 §8 item 2). */
    private final Map<MemberKey, LastRequest> requests = new ConcurrentHashMap<>();
    /** Members this store wrote, by uid, until the informer shows that version or a newer one. */
    private final Map<String, Member> ownWrites = new ConcurrentHashMap<>();
    /**
     * The resourceVersions this store wrote, by uid, until the informer's handler has seen them:
     * its own writes are no policy change. Not {@link #ownWrites}: readers forget an entry there as
     * soon as the cache holds that version, which is before the handler hears of it, and the leader
     * then pushed a member the config it had just answered once more.
     */
    private final Map<String, NavigableSet<Long>> ownRevisions = new ConcurrentHashMap<>();
    /** Served records by network uid, valid for one (generation, network id): rules compile once. */
    private final Map<String, CachedNetwork> networkCache = new ConcurrentHashMap<>();
    /** Member records by uid, valid for one (resourceVersion, served network record, pin). */
    private final Map<String, CachedMember> memberCache = new ConcurrentHashMap<>();
    /**
     * The addresses this store wrote (or may have written: a failed request that was not a 409) to
     * each member's status, as the controller's own ledger. Pool allocation counts them as taken
     * besides what the informer shows, so that a cache that lags, or misses an object for a moment,
     * can never make the allocator hand one address out twice (the benchmark caught that: 4 of
     * 1,254 addresses repeated without it). Entries go when the Member is deleted.
     */
    private final Map<MemberKey, List<InetEndpoint>> written = new ConcurrentHashMap<>();
    /** Uids of Members whose deletion the controller already revoked (the finalizer path). */
    private final Set<String> revokedDeletions = ConcurrentHashMap.newKeySet();

    private record CachedNetwork(long generation, NetworkId id, NetworkSpecReader.Reading reading) {}

    private record CachedMember(long revision, NetworkRecord network, Identity pin, Optional<MemberRecord> record) {}

    /** A member of a network, as the controller names it. */
    public record MemberKey(NetworkId networkId, Address address) {}

    /**
     * @param pendingNamespace where Members of devices that asked for a config are created
     * @param changes receives every {@link PolicyChange} (on informer threads)
     * @param networkTouched receives the ZeroTierNetwork name whose members changed
     */
    public KubernetesPolicyStore(KubernetesClient client, String pendingNamespace, Consumer<PolicyChange> changes,
            Consumer<String> networkTouched) {
        this.client = Objects.requireNonNull(client, "client");
        this.pendingNamespace = Objects.requireNonNull(pendingNamespace, "pendingNamespace");
        this.changes = Objects.requireNonNull(changes, "changes");
        this.networkTouched = Objects.requireNonNull(networkTouched, "networkTouched");
    }

    /** Starts the informers and waits until both caches are filled. */
    public void start() {
        networks = client.resources(ZeroTierNetwork.class).runnableInformer(0);
        networks.addIndexers(Map.of(BY_NETWORK_ID, n -> servedId(n).map(id -> List.of(id.toString())).orElse(List.of())));
        networks.addEventHandler(new NetworkHandler());
        members = client.resources(Member.class).inAnyNamespace().runnableInformer(0);
        members.addIndexers(Map.of(
                BY_NETWORK, m -> m.getSpec() == null || m.getSpec().getNetwork() == null ? List.of()
                        : List.of(m.getSpec().getNetwork()),
                BY_NETWORK_ADDRESS, m -> m.getSpec() == null || m.getSpec().getNetwork() == null
                        || m.getSpec().getAddress() == null ? List.of()
                        : List.of(m.getSpec().getNetwork() + "/" + m.getSpec().getAddress())));
        members.addEventHandler(new MemberHandler());
        networks.start().toCompletableFuture().join();
        members.start().toCompletableFuture().join();
    }

    @Override
    public void close() {
        if (members != null) {
            members.close();
        }
        if (networks != null) {
            networks.close();
        }
    }

    // ------------------------------------------------------------------ reads for the reconcilers

    /** The ZeroTierNetwork of this name, from the cache. */
    public Optional<ZeroTierNetwork> networkNamed(String name) {
        return Optional.ofNullable(networks.getStore().getByKey(name));
    }

    /** Every ZeroTierNetwork in the cache. */
    public List<ZeroTierNetwork> allNetworks() {
        return networks.getStore().list();
    }

    /** The record this store serves for the network, if it is served. */
    public Optional<NetworkRecord> served(ZeroTierNetwork network) {
        Optional<NetworkId> id = servedId(network);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        String uid = network.getMetadata().getUid();
        long generation = Optional.ofNullable(network.getMetadata().getGeneration()).orElse(0L);
        CachedNetwork cached = uid == null ? null : networkCache.get(uid);
        NetworkSpecReader.Reading reading;
        if (cached != null && cached.generation() == generation && cached.id().equals(id.get())
                && generation != 0) {
            reading = cached.reading();
        } else {
            reading = NetworkSpecReader.read(network, id.get());
            if (uid != null) {
                networkCache.put(uid, new CachedNetwork(generation, id.get(), reading));
            }
        }
        return switch (reading) {
            case NetworkSpecReader.Reading.Valid v -> {
                if (uid != null) {
                    lastValid.put(uid, v.record());
                }
                yield Optional.of(v.record());
            }
            case NetworkSpecReader.Reading.Invalid i -> Optional.ofNullable(uid == null ? null : lastValid.get(uid))
                    .filter(r -> r.id().equals(id.get()));
        };
    }

    /** The Members naming this network (every namespace), from the cache. */
    public List<Member> membersOf(String networkName) {
        return members.getIndexer().byIndex(BY_NETWORK, networkName);
    }

    /**
     * The Members of the network of this name that hold this address (every namespace), from the
     * cache's index: what the join endpoint checks before it creates a pod's Member.
     */
    public List<Member> membersWithAddress(String networkName, String address) {
        return members.getIndexer().byIndex(BY_NETWORK_ADDRESS, networkName + "/" + address);
    }

    /** The member record of this Member, if its network is served and its address is valid. */
    public Optional<MemberRecord> record(Member m) {
        if (m.getSpec() == null || m.getSpec().getNetwork() == null) {
            return Optional.empty();
        }
        return networkNamed(m.getSpec().getNetwork()).flatMap(this::served).flatMap(n -> toRecord(latest(m), n));
    }

    /** The network id a Member's network is served as. */
    public Optional<NetworkId> networkIdOf(Member m) {
        return m.getSpec() == null || m.getSpec().getNetwork() == null ? Optional.empty()
                : networkNamed(m.getSpec().getNetwork()).flatMap(KubernetesPolicyStore::servedId);
    }

    /** Whether the member asked for its config within {@link #ONLINE_WINDOW_MS} of {@code nowMs}. */
    public boolean isOnline(NetworkId id, Address address, long nowMs) {
        LastRequest r = requests.get(new MemberKey(id, address));
        return r != null && nowMs - r.timeMs() < ONLINE_WINDOW_MS;
    }

    /**
     * Notes that the controller revoked this Member's deletion itself (the finalizer path), so that
     * the informer's delete event does not revoke it again.
     */
    public void revokedDeletion(Member m) {
        revokedDeletions.add(m.getMetadata().getUid());
    }

    /** The record of a Member being deleted as it was before (authorized as its spec says), to revoke it. */
    public Optional<MemberRecord> recordBeforeDeletion(Member m) {
        return record(withoutDeletion(m));
    }

    // ------------------------------------------------------------------ PolicyStore

    @Override
    public Optional<NetworkRecord> network(NetworkId id) {
        return networkById(id).flatMap(this::served);
    }

    @Override
    public Optional<MemberRecord> member(NetworkId id, Address address) {
        return networkById(id).flatMap(n -> memberObject(n, address).flatMap(m -> served(n).flatMap(r -> toRecord(m, r))));
    }

    @Override
    public List<MemberRecord> members(NetworkId id) {
        Optional<ZeroTierNetwork> n = networkById(id);
        Optional<NetworkRecord> record = n.flatMap(this::served);
        if (record.isEmpty()) {
            return List.of();
        }
        Map<Address, Member> byAddress = new TreeMap<>();
        for (Member m : membersOf(n.get().getMetadata().getName())) {
            Optional<Address> a = address(m);
            if (a.isPresent()) {
                byAddress.merge(a.get(), m, KubernetesPolicyStore::older);
            }
        }
        List<MemberRecord> out = new ArrayList<>(byAddress.size());
        for (Member m : byAddress.values()) {
            toRecord(latest(m), record.get()).ifPresent(out::add);
        }
        return out;
    }

    /** The default summary, plus every address this store wrote for a member of the network. */
    @Override
    public NetworkSummary summary(NetworkId id) {
        NetworkSummary s = NetworkSummary.of(members(id));
        Set<InetEndpoint> allocated = null;
        for (Map.Entry<MemberKey, List<InetEndpoint>> e : written.entrySet()) {
            if (e.getKey().networkId().equals(id) && !s.allocatedIps().containsAll(e.getValue())) {
                if (allocated == null) {
                    allocated = new java.util.HashSet<>(s.allocatedIps());
                }
                allocated.addAll(e.getValue());
            }
        }
        return allocated == null ? s : new NetworkSummary(s.activeBridges(), allocated);
    }

    @Override
    public MemberWrite writeMember(MemberRecord next, OptionalLong expectedRevision) {
        Optional<ZeroTierNetwork> network = networkById(next.networkId());
        Optional<NetworkRecord> served = network.flatMap(this::served);
        if (served.isEmpty()) {
            return new MemberWrite(MemberWrite.Outcome.CONFLICT, Optional.empty());
        }
        Optional<Member> current = memberObject(network.get(), next.address());
        if (current.isEmpty()) {
            return expectedRevision.isPresent() ? new MemberWrite(MemberWrite.Outcome.CONFLICT, Optional.empty())
                    : createPending(network.get(), served.get(), next);
        }
        Member m = current.get();
        Optional<MemberRecord> read = toRecord(m, served.get());
        if (read.isEmpty() || expectedRevision.isEmpty() || expectedRevision.getAsLong() != read.get().revision()) {
            return new MemberWrite(MemberWrite.Outcome.CONFLICT, read);
        }
        next.identity().ifPresent(i -> {
            if (read.get().identity().isEmpty()) {
                pins.put(new MemberKey(next.networkId(), next.address()), i);
            }
        });
        List<String> desired = next.ipAssignments().stream().map(InetEndpoint::ipString).toList();
        List<String> stored = m.getStatus() == null || m.getStatus().getIpAssignments() == null ? List.of()
                : m.getStatus().getIpAssignments();
        if (desired.equals(stored)) {
            return new MemberWrite(MemberWrite.Outcome.UNCHANGED, toRecord(m, served.get()));
        }
        Member copy = Serialization.clone(m);
        if (copy.getStatus() == null) {
            copy.setStatus(new MemberStatus());
        }
        copy.getStatus().setIpAssignments(desired.isEmpty() ? null : desired);
        MemberKey key = new MemberKey(next.networkId(), next.address());
        try {
            Member updated = client.resource(copy).updateStatus();
            written.put(key, next.ipAssignments());
            rememberOwnWrite(updated);
            return new MemberWrite(MemberWrite.Outcome.STORED, toRecord(updated, served.get()));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                // Not refused: it may have been stored (a timeout, a lost reply), so count it taken.
                written.merge(key, next.ipAssignments(), (a, b) -> {
                    List<InetEndpoint> both = new ArrayList<>(a);
                    both.addAll(b);
                    return both;
                });
                LOG.warn("could not write the status of Member {}/{}: {}", m.getMetadata().getNamespace(),
                        m.getMetadata().getName(), e.getMessage());
            }
            return new MemberWrite(MemberWrite.Outcome.CONFLICT, read);
        }
    }

    @Override
    public void recordRequest(NetworkId id, Address address, LastRequest request) {
        requests.put(new MemberKey(id, address), request);
    }

    @Override
    public Optional<LastRequest> lastRequest(NetworkId id, Address address) {
        return Optional.ofNullable(requests.get(new MemberKey(id, address)));
    }

    // ------------------------------------------------------------------ request status

    /**
     * Writes request records to Member status (online, lastSeen, physicalAddress, clientVersion)
     * where they differ from it, at most {@code writesMax} Members per call: online flips, a new
     * physical address or version at once; lastSeen alone only once per
     * {@link #LAST_SEEN_RESOLUTION_MS}. Call it periodically (the rate bound is writesMax per call).
     *
     * @return the number of Members written
     */
    public int flushRequestStatus(long nowMs, int writesMax) {
        int written = 0;
        for (ZeroTierNetwork n : allNetworks()) {
            Optional<NetworkId> id = servedId(n);
            if (id.isEmpty()) {
                continue;
            }
            for (Member m : membersOf(n.getMetadata().getName())) {
                if (written >= writesMax) {
                    return written;
                }
                Optional<Address> a = address(m);
                if (a.isEmpty() || m.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                Optional<MemberStatus> patch = requestStatusPatch(m, requests.get(new MemberKey(id.get(), a.get())), nowMs);
                if (patch.isPresent()) {
                    MemberStatus p = patch.get();
                    try {
                        client.resources(Member.class).inNamespace(m.getMetadata().getNamespace())
                                .withName(m.getMetadata().getName()).editStatus(fresh -> {
                                    MemberStatus s = fresh.getStatus() == null ? new MemberStatus() : fresh.getStatus();
                                    if (p.getOnline() != null) {
                                        s.setOnline(p.getOnline());
                                    }
                                    if (p.getLastSeen() != null) {
                                        s.setLastSeen(p.getLastSeen());
                                    }
                                    if (p.getPhysicalAddress() != null) {
                                        s.setPhysicalAddress(p.getPhysicalAddress());
                                    }
                                    if (p.getClientVersion() != null) {
                                        s.setClientVersion(p.getClientVersion());
                                    }
                                    fresh.setStatus(s);
                                    return fresh;
                                });
                        written++;
                    } catch (KubernetesClientException e) {
                        LOG.warn("could not write request status of Member {}/{}: {}", m.getMetadata().getNamespace(),
                                m.getMetadata().getName(), e.getMessage());
                    }
                }
            }
        }
        return written;
    }

    /** The status fields to merge into {@code m} for its request record, if any differ. */
    static Optional<MemberStatus> requestStatusPatch(Member m, LastRequest r, long nowMs) {
        MemberStatus s = m.getStatus() == null ? new MemberStatus() : m.getStatus();
        boolean online = r != null && nowMs - r.timeMs() < ONLINE_WINDOW_MS;
        MemberStatus patch = new MemberStatus();
        boolean differs = false;
        if (!Objects.equals(s.getOnline(), online) && (online || s.getOnline() != null)) {
            patch.setOnline(online);
            differs = true;
        }
        if (r != null) {
            String physical = r.physicalAddress().isNil() ? null : r.physicalAddress().toString();
            if (physical != null && !physical.equals(s.getPhysicalAddress())) {
                patch.setPhysicalAddress(physical);
                differs = true;
            }
            String version = version(r.clientVersion());
            if (version != null && !version.equals(s.getClientVersion())) {
                patch.setClientVersion(version);
                differs = true;
            }
            long seenMs = lastSeenMs(s).orElse(Long.MIN_VALUE);
            if (differs || r.timeMs() - seenMs >= LAST_SEEN_RESOLUTION_MS) {
                patch.setLastSeen(Instant.ofEpochMilli(r.timeMs()).toString());
                if (r.timeMs() != seenMs) {
                    differs = true;
                }
            }
        }
        return differs ? Optional.of(patch) : Optional.empty();
    }

    private static OptionalLong lastSeenMs(MemberStatus s) {
        try {
            return s.getLastSeen() == null ? OptionalLong.empty() : OptionalLong.of(Instant.parse(s.getLastSeen()).toEpochMilli());
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** {@code major.minor.revision} as status.clientVersion shows it; null when unknown. */
    static String version(ClientVersion v) {
        if (v.equals(ClientVersion.UNKNOWN) || v.major() < 0 || v.minor() < 0 || v.revision() < 0
                || v.major() > 99999 || v.minor() > 99999 || v.revision() > 99999) {
            return null;
        }
        return v.major() + "." + v.minor() + "." + v.revision();
    }

    // ------------------------------------------------------------------ mapping

    /** The network id a ZeroTierNetwork is served as: Embedded mode with status.networkId. */
    public static Optional<NetworkId> servedId(ZeroTierNetwork n) {
        if (n.getSpec() != null && n.getSpec().getController() != null
                && n.getSpec().getController().getMode() == ControllerMode.External) {
            return Optional.empty();
        }
        if (n.getStatus() == null || n.getStatus().getNetworkId() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(NetworkId.parse(n.getStatus().getNetworkId()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<ZeroTierNetwork> networkById(NetworkId id) {
        List<ZeroTierNetwork> l = networks.getIndexer().byIndex(BY_NETWORK_ID, id.toString());
        return l.stream().min(Comparator.comparing((ZeroTierNetwork n) -> n.getMetadata().getCreationTimestamp(),
                Comparator.nullsLast(Comparator.naturalOrder())));
    }

    private Optional<Member> memberObject(ZeroTierNetwork n, Address address) {
        return members.getIndexer().byIndex(BY_NETWORK_ADDRESS, n.getMetadata().getName() + "/" + address)
                .stream().reduce(KubernetesPolicyStore::older).map(this::latest);
    }

    private static Member older(Member a, Member b) {
        String ta = a.getMetadata().getCreationTimestamp();
        String tb = b.getMetadata().getCreationTimestamp();
        if (ta != null && tb != null && !ta.equals(tb)) {
            return ta.compareTo(tb) <= 0 ? a : b;
        }
        return (a.getMetadata().getNamespace() + "/" + a.getMetadata().getName())
                .compareTo(b.getMetadata().getNamespace() + "/" + b.getMetadata().getName()) <= 0 ? a : b;
    }

    private void rememberOwnWrite(Member written) {
        String uid = written.getMetadata().getUid();
        ownRevisions.computeIfAbsent(uid, u -> new ConcurrentSkipListSet<>()).add(revision(written));
        ownWrites.put(uid, written);
    }

    /** Whether the handler's {@code m} is this store's own write; forgets it and older ones. */
    private boolean consumeOwnWrite(Member m) {
        NavigableSet<Long> mine = ownRevisions.get(m.getMetadata().getUid());
        if (mine == null) {
            return false;
        }
        long rv = revision(m);
        boolean own = mine.contains(rv);
        mine.headSet(rv, true).clear();
        return own;
    }

    /**
     * The newer of {@code m} and this store's own last write of it. {@code m} may come from another
     * cache than this store's (a reconciler hands in JOSDK's copy, which can be ahead), so the own
     * write is forgotten only once this store's cache holds its version: forgetting it because a
     * newer copy came from elsewhere let the next read of the lagging cache lose the addresses just
     * written, and the controller assigned the member a second address over the first.
     */
    private Member latest(Member m) {
        String uid = m.getMetadata().getUid();
        Member own = uid == null ? null : ownWrites.get(uid);
        if (own == null) {
            return m;
        }
        if (revision(own) > revision(m)) {
            return own;
        }
        Member cached = members.getStore().get(own);
        if (cached != null && revision(cached) >= revision(own)) {
            ownWrites.remove(uid, own);
        }
        return m;
    }

    static long revision(io.fabric8.kubernetes.api.model.HasMetadata o) {
        String rv = o.getMetadata().getResourceVersion();
        if (rv == null) {
            return 0;
        }
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            return rv.hashCode() & 0x7fff_ffffL;
        }
    }

    private static Optional<Address> address(Member m) {
        try {
            Address a = Address.parse(m.getSpec().getAddress());
            return a.value() == 0 || a.isReserved() ? Optional.empty() : Optional.of(a);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The member record of {@code m} on the served network {@code network}, from the cache when
     * neither has changed (the controller reads every member of a network for each assignment).
     */
    Optional<MemberRecord> toRecord(Member m, NetworkRecord network) {
        String uid = m.getMetadata().getUid();
        Optional<Address> a = address(m);
        Identity pin = a.map(x -> pins.get(new MemberKey(network.id(), x))).orElse(null);
        if (uid == null || m.getMetadata().getDeletionTimestamp() != null) {
            return computeRecord(m, network);
        }
        long rv = revision(m);
        CachedMember c = memberCache.get(uid);
        if (c != null && c.revision() == rv && c.network() == network && c.pin() == pin) {
            return c.record();
        }
        Optional<MemberRecord> r = computeRecord(m, network);
        memberCache.put(uid, new CachedMember(rv, network, pin, r));
        return r;
    }

    private Optional<MemberRecord> computeRecord(Member m, NetworkRecord network) {
        Optional<Address> address = address(m);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        MemberSpec spec = m.getSpec();
        MemberKey key = new MemberKey(network.id(), address.get());
        Optional<Identity> identity = annotatedIdentity(m, address.get());
        if (identity.isEmpty()) {
            identity = Optional.ofNullable(pins.get(key));
        }
        boolean deleting = m.getMetadata().getDeletionTimestamp() != null;
        List<InetEndpoint> ips = new ArrayList<>();
        if (spec.getIpAssignments() != null && !spec.getIpAssignments().isEmpty()) {
            for (String s : spec.getIpAssignments()) {
                NetworkSpecReader.ip(s).ifPresent(ips::add);
            }
        } else if (m.getStatus() != null && m.getStatus().getIpAssignments() != null) {
            for (String s : m.getStatus().getIpAssignments()) {
                NetworkSpecReader.ip(s).filter(ip -> inPools(ip, network.ipAssignmentPools())).ifPresent(ips::add);
            }
        }
        List<MemberTag> tags = new ArrayList<>();
        if (spec.getTags() != null) {
            for (Map.Entry<String, Long> t : spec.getTags().entrySet()) {
                try {
                    long id = Long.parseLong(t.getKey());
                    if (id >= 0 && id <= 0xffff_ffffL && t.getValue() != null && t.getValue() >= 0
                            && t.getValue() <= 0xffff_ffffL) {
                        tags.add(new MemberTag(id, t.getValue()));
                    }
                } catch (NumberFormatException e) {
                    // the webhook refuses such keys; the controller ignores them
                }
            }
            tags.sort(Comparator.comparingLong(MemberTag::id));
        }
        List<Long> capabilities = spec.getCapabilities() == null ? List.of()
                : spec.getCapabilities().stream().filter(c -> c != null && c >= 0 && c <= 0xffff_ffffL).toList();
        return Optional.of(MemberRecord.builder(network.id(), address.get(), NetworkSpecReader.creationTimeMs(m))
                .revision(revision(m))
                .identity(identity)
                .authorized(!deleting && (Boolean.TRUE.equals(spec.getAuthorized()) || !network.privateNetwork()))
                .activeBridge(Boolean.TRUE.equals(spec.getActiveBridge()))
                .noAutoAssignIps(Boolean.TRUE.equals(spec.getNoAutoAssignIps()))
                .ipAssignments(ips)
                .tags(tags)
                .capabilities(capabilities)
                .build());
    }

    private static Optional<Identity> annotatedIdentity(Member m, Address address) {
        Map<String, String> a = m.getMetadata().getAnnotations();
        String text = a == null ? null : a.get(WellKnownNames.IDENTITY_ANNOTATION);
        if (text == null) {
            return Optional.empty();
        }
        try {
            Identity i = Identity.parse(text).publicOnly();
            return i.address().equals(address) ? Optional.of(i) : Optional.empty();
        } catch (InvalidIdentityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean inPools(InetEndpoint ip, List<IpPool> pools) {
        for (IpPool p : pools) {
            if (p.isIpv4() && ip.isIpv4()) {
                long v = ip.ipv4Value();
                if (v >= p.start().ipv4Value() && v <= p.end().ipv4Value()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Name of the pending Member of {@code address} on {@code network} (at most 253 characters). */
    static String pendingName(Address address, String network) {
        String name = address + "-" + network;
        if (name.length() > 253) {
            name = name.substring(0, 253);
        }
        while (!Character.isLetterOrDigit(name.charAt(name.length() - 1))) {
            name = name.substring(0, name.length() - 1);
        }
        return name;
    }

    private MemberWrite createPending(ZeroTierNetwork network, NetworkRecord served, MemberRecord next) {
        String networkName = network.getMetadata().getName();
        Member m = new Member();
        ObjectMetaBuilder meta = new ObjectMetaBuilder()
                .withName(pendingName(next.address(), networkName))
                .withNamespace(pendingNamespace)
                .addToLabels(WellKnownNames.NETWORK_LABEL, networkName.length() <= 63 ? networkName : networkName.substring(0, 63))
                .addToLabels(WellKnownNames.MANAGED_BY_LABEL, "zerokube-operator");
        if (!next.authorized()) {
            meta.addToLabels(WellKnownNames.PENDING_LABEL, "true");
        }
        next.identity().ifPresent(i -> meta.addToAnnotations(WellKnownNames.IDENTITY_ANNOTATION, i.toString()));
        m.setMetadata(meta.build());
        MemberSpec spec = new MemberSpec();
        spec.setNetwork(networkName);
        spec.setAddress(next.address().toString());
        spec.setAuthorized(false);
        m.setSpec(spec);
        try {
            Member created = client.resource(m).create();
            rememberOwnWrite(created);
            LOG.info("device {} asked for network {} ({}): pending Member {}/{} created", next.address(), networkName,
                    served.id(), pendingNamespace, created.getMetadata().getName());
            return new MemberWrite(MemberWrite.Outcome.STORED, toRecord(created, served));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                LOG.warn("could not create pending Member for {} on {}: {}", next.address(), networkName, e.getMessage());
            }
            return new MemberWrite(MemberWrite.Outcome.CONFLICT, Optional.empty());
        }
    }

    // ------------------------------------------------------------------ change feed

    private final class NetworkHandler implements ResourceEventHandler<ZeroTierNetwork> {
        @Override
        public void onAdd(ZeroTierNetwork n) {
            announceIfChanged(n);
        }

        @Override
        public void onUpdate(ZeroTierNetwork before, ZeroTierNetwork after) {
            announceIfChanged(after);
        }

        /** A NetworkChanged when {@code n} serves something else than the feed last announced. */
        private void announceIfChanged(ZeroTierNetwork n) {
            Optional<NetworkRecord> now = served(n);
            String uid = n.getMetadata().getUid();
            if (now.isEmpty()) {
                return;
            }
            NetworkRecord old = uid == null ? null : announced.put(uid, now.get());
            if (old == null || !old.sameIgnoringRevision(now.get())) {
                changes.accept(new PolicyChange.NetworkChanged(now.get()));
            }
        }

        @Override
        public void onDelete(ZeroTierNetwork n, boolean finalStateUnknown) {
            Optional<NetworkRecord> last = served(n);
            announced.remove(n.getMetadata().getUid());
            lastValid.remove(n.getMetadata().getUid());
            networkCache.remove(n.getMetadata().getUid());
            if (last.isPresent()) {
                List<MemberRecord> records = new ArrayList<>();
                for (Member m : membersOf(n.getMetadata().getName())) {
                    toRecord(m, last.get()).ifPresent(records::add);
                }
                changes.accept(new PolicyChange.NetworkDeleted(last.get(), records));
            }
        }
    }

    private final class MemberHandler implements ResourceEventHandler<Member> {
        @Override
        public void onAdd(Member m) {
            record(m).ifPresent(r -> changes.accept(new PolicyChange.MemberChanged(Optional.empty(), r)));
            touched(m);
        }

        @Override
        public void onUpdate(Member before, Member after) {
            boolean ownWrite = consumeOwnWrite(after);
            Member own = ownWrites.get(after.getMetadata().getUid());
            if (own != null && revision(after) >= revision(own)) {
                ownWrites.remove(after.getMetadata().getUid(), own);
            }
            Optional<NetworkRecord> network = after.getSpec() == null ? Optional.empty()
                    : networkNamed(after.getSpec().getNetwork()).flatMap(KubernetesPolicyStore.this::served);
            // A deletion in progress is revoked once, by the Member's finalizer (or, without it, by
            // the delete event); meanwhile the record reads as unauthorized, so no config is issued.
            boolean deleting = after.getMetadata().getDeletionTimestamp() != null;
            if (!ownWrite && !deleting && network.isPresent()) {
                Optional<MemberRecord> b = toRecord(before, network.get());
                Optional<MemberRecord> a = toRecord(after, network.get());
                if (a.isPresent() && (b.isEmpty() || !b.get().sameIgnoringRevision(a.get()))) {
                    changes.accept(new PolicyChange.MemberChanged(b, a.get()));
                }
            }
            touched(after);
        }

        @Override
        public void onDelete(Member m, boolean finalStateUnknown) {
            ownWrites.remove(m.getMetadata().getUid());
            ownRevisions.remove(m.getMetadata().getUid());
            Optional<NetworkId> nwid = networkIdOf(m);
            Optional<Address> a = address(m);
            if (nwid.isPresent() && a.isPresent()) {
                written.remove(new MemberKey(nwid.get(), a.get()));
            }
            memberCache.remove(m.getMetadata().getUid());
            if (!revokedDeletions.remove(m.getMetadata().getUid())) {
                Optional<NetworkRecord> network = m.getSpec() == null ? Optional.empty()
                        : networkNamed(m.getSpec().getNetwork()).flatMap(KubernetesPolicyStore.this::served);
                network.flatMap(n -> toRecord(withoutDeletion(m), n))
                        .ifPresent(r -> changes.accept(new PolicyChange.MemberDeleted(r)));
            }
            touched(m);
        }

        private void touched(Member m) {
            if (m.getSpec() != null && m.getSpec().getNetwork() != null) {
                networkTouched.accept(m.getSpec().getNetwork());
            }
        }
    }

    /** {@code m} as it was before its deletion started, so that its record keeps its authorization. */
    static Member withoutDeletion(Member m) {
        if (m.getMetadata().getDeletionTimestamp() == null) {
            return m;
        }
        Member copy = Serialization.clone(m);
        copy.getMetadata().setDeletionTimestamp(null);
        return copy;
    }
}
