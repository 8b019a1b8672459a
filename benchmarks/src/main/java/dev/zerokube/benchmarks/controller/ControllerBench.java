package dev.zerokube.benchmarks.controller;

import dev.zerokube.overlay.controller.ClientVersion;
import dev.zerokube.overlay.controller.ConfigChunker;
import dev.zerokube.overlay.controller.ConfigDecision;
import dev.zerokube.overlay.controller.ControllerJson;
import dev.zerokube.overlay.controller.IpPool;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.NetworkController;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.runtime.FilePolicyStore;
import dev.zerokube.overlay.runtime.JsonText;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.Route;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The controller's figures for issue 5 (results in docs/performance.md, "Controller"):
 *
 * <ul>
 *   <li>{@code configs [members] [seconds]}: signed configs per second and latency percentiles for
 *       a private network of {@code members} (default 10,000) authorized members in a
 *       {@link FilePolicyStore}, each request through {@link NetworkController#onConfigRequest} and
 *       {@link ConfigChunker#chunks} (the signing) on one thread, round robin over the members.
 *       Time passed to the controller advances 1 ms per request, so no request meets the 1 s
 *       per-member rate limit; the steady state writes nothing (records are unchanged).
 *   <li>{@code memory [members]}: heap in use after GC with {@code members} (default 100,000)
 *       member records loaded by {@link FilePolicyStore#open}, and how long the open took.
 * </ul>
 * Members have random keys and addresses (no proof of work: generating 100,000 real identities
 * would take hours, and the controller does not validate requesters; the node layer does).
 */
public final class ControllerBench {
    static final NetworkId NWID = NetworkId.parse("1d939ff884000001");

    private ControllerBench() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "configs";
        switch (mode) {
            case "configs" -> configs(args.length > 1 ? Integer.parseInt(args[1]) : 10_000,
                    args.length > 2 ? Integer.parseInt(args[2]) : 20);
            case "memory" -> memory(args.length > 1 ? Integer.parseInt(args[1]) : 100_000);
            default -> throw new IllegalArgumentException("mode: configs [members] [seconds] | memory [members]");
        }
    }

    /** A fake member identity (see class docs) and its authorized, already-served record. */
    record Member(Identity identity, MemberRecord record) {}

    static List<Member> members(int n, SplittableRandom random, ClientVersion version) {
        List<Member> out = new ArrayList<>(n);
        java.util.Set<Long> used = new java.util.HashSet<>();
        while (out.size() < n) {
            long a = random.nextLong() & 0xff_ffff_ffffL;
            Address address;
            try {
                address = Address.fromLow40Bits(a);
                if (address.isReserved() || !used.add(a)) {
                    continue;
                }
            } catch (IllegalArgumentException e) {
                continue;
            }
            byte[] pub = new byte[64];
            random.nextBytes(pub);
            Identity id = new Identity(address, pub, null);
            int host = out.size() + 1;
            MemberRecord r = MemberRecord.builder(NWID, address, 1_700_000_000_000L).revision(1).authorized(true)
                    .lastAuthorizedTimeMs(1_700_000_000_000L).lastAuthorizedCredentialType(Optional.of("api"))
                    .identity(Optional.of(id)).clientVersion(version)
                    .ipAssignments(List.of(InetEndpoint.of(new byte[] {10, (byte) (host >> 16), (byte) (host >> 8), (byte) host}, 0)))
                    .build();
            out.add(new Member(id, r));
        }
        return out;
    }

    static NetworkRecord network() {
        return NetworkRecord.builder(NWID, 1_700_000_000_000L).revision(1).name("bench").v4AssignZt(true)
                .ipAssignmentPools(List.of(new IpPool(InetEndpoint.of(new byte[] {10, 0, 0, 1}, 0),
                        InetEndpoint.of(new byte[] {10, (byte) 255, (byte) 255, (byte) 254}, 0))))
                .routes(List.of(new Route(InetEndpoint.of(new byte[] {10, 0, 0, 0}, 8), InetEndpoint.NIL, 0, 0)))
                .build();
    }

    /** Writes the records as files (the way a running controller would have left them, without fsync). */
    static Path writeControllerDir(List<Member> members) throws IOException {
        Path dir = Files.createTempDirectory("zerokube-controller-bench");
        Path net = dir.resolve("network");
        Path memberDir = net.resolve(NWID.toString()).resolve("member");
        Files.createDirectories(memberDir);
        Files.write(net.resolve(NWID + ".json"), JsonText.write(ControllerJson.toJson(network())));
        for (Member m : members) {
            Files.write(memberDir.resolve(m.record().address() + ".json"), JsonText.write(ControllerJson.toJson(m.record())));
        }
        return dir;
    }

    static void configs(int memberCount, int seconds) throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        Identity controllerIdentity = Identity.generate(new SplittableRandom(2));
        // The network id carries the controller's address.
        NetworkId nwid = new NetworkId((controllerIdentity.address().value() << 24) | 1);
        ConfigRequestMetadata metadata = ConfigRequestMetadata.zeroTier1141("linux-x86_64");
        List<Member> members = members(memberCount, random, ClientVersion.of(metadata));
        List<Member> rebased = new ArrayList<>(members.size());
        for (Member m : members) {
            MemberRecord r = m.record();
            rebased.add(new Member(m.identity(), MemberRecord.builder(nwid, r.address(), r.creationTimeMs()).revision(1)
                    .authorized(true).lastAuthorizedTimeMs(r.lastAuthorizedTimeMs())
                    .lastAuthorizedCredentialType(r.lastAuthorizedCredentialType()).identity(r.identity())
                    .clientVersion(r.clientVersion()).ipAssignments(r.ipAssignments()).build()));
        }
        Path dir = Files.createTempDirectory("zerokube-controller-bench");
        try {
            writeFiles(dir, nwid, rebased);
            try (FilePolicyStore store = FilePolicyStore.open(dir)) {
                NetworkController controller = new NetworkController(controllerIdentity, store, random);
                ConfigChunker chunker = new ConfigChunker(controllerIdentity);
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long nowMs = 1_800_000_000_000L;
                // Warm-up: one pass over every member (the first answer may store versions).
                int i = 0;
                for (Member m : rebased) {
                    request(controller, chunker, m, nwid, metadata, nowMs++, random);
                }
                long[] latencyNs = new long[Math.max(1, seconds) * 200_000];
                long[] cpuLatencyNs = new long[latencyNs.length];
                int n = 0;
                long cpu0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long end = t0 + seconds * 1_000_000_000L;
                int replies = 0;
                while (System.nanoTime() < end && n < latencyNs.length) {
                    Member m = rebased.get(i++ % rebased.size());
                    long c = threads.getCurrentThreadCpuTime();
                    long s = System.nanoTime();
                    boolean replied = request(controller, chunker, m, nwid, metadata, nowMs++, random);
                    latencyNs[n] = System.nanoTime() - s;
                    cpuLatencyNs[n++] = threads.getCurrentThreadCpuTime() - c;
                    if (replied) {
                        replies++;
                    }
                }
                long wallNs = System.nanoTime() - t0;
                long cpuNs = threads.getCurrentThreadCpuTime() - cpu0;
                long[] l = Arrays.copyOf(latencyNs, n);
                Arrays.sort(l);
                System.out.printf("configs: %d members, %d requests, %d signed replies in %.2f s wall, %.2f s CPU of this thread%n",
                        memberCount, n, replies, wallNs / 1e9, cpuNs / 1e9);
                System.out.printf("configs: %.0f configs/s (wall), %.0f configs/s per CPU second%n",
                        replies / (wallNs / 1e9), replies / (cpuNs / 1e9));
                System.out.printf("latency (wall): p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n",
                        pct(l, 0.50), pct(l, 0.99), pct(l, 0.999), l[l.length - 1] / 1e6);
                long[] cl = Arrays.copyOf(cpuLatencyNs, n);
                Arrays.sort(cl);
                System.out.printf("latency (CPU): p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n",
                        pct(cl, 0.50), pct(cl, 0.99), pct(cl, 0.999), cl[cl.length - 1] / 1e6);
                if (replies != n) {
                    throw new IllegalStateException((n - replies) + " requests got no config");
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static boolean request(NetworkController controller, ConfigChunker chunker, Member m, NetworkId nwid,
            ConfigRequestMetadata metadata, long nowMs, SplittableRandom random) {
        ConfigDecision d = controller.onConfigRequest(nowMs, m.identity(), nwid, metadata, InetEndpoint.NIL);
        if (d instanceof ConfigDecision.Reply r) {
            List<ConfigChunk> chunks = chunker.chunks(r.config(), ConfigChunker.newConfigUpdateId(random));
            return !chunks.isEmpty();
        }
        return false;
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    static void writeFiles(Path dir, NetworkId nwid, List<Member> members) throws IOException {
        Path net = dir.resolve("network");
        Path memberDir = net.resolve(nwid.toString()).resolve("member");
        Files.createDirectories(memberDir);
        NetworkRecord n = network().toBuilder().build();
        NetworkRecord withId = NetworkRecord.builder(nwid, n.creationTimeMs()).revision(1).name(n.name())
                .v4AssignZt(true).ipAssignmentPools(n.ipAssignmentPools()).routes(n.routes()).build();
        Files.write(net.resolve(nwid + ".json"), JsonText.write(ControllerJson.toJson(withId)));
        for (Member m : members) {
            Files.write(memberDir.resolve(m.record().address() + ".json"), JsonText.write(ControllerJson.toJson(m.record())));
        }
    }

    static void memory(int memberCount) throws Exception {
        List<Member> members = members(memberCount, new SplittableRandom(3),
                ClientVersion.of(ConfigRequestMetadata.zeroTier1141("linux-x86_64")));
        Path dir = writeControllerDir(members);
        members = null;
        try {
            long before = usedAfterGc();
            long t0 = System.nanoTime();
            FilePolicyStore store = FilePolicyStore.open(dir);
            long openMs = (System.nanoTime() - t0) / 1_000_000;
            long after = usedAfterGc();
            System.out.printf("memory: %d members loaded in %d ms; heap after GC %.1f MiB (store: %.1f MiB, %.0f bytes/member)%n",
                    store.memberCount(), openMs, after / 1048576.0, (after - before) / 1048576.0,
                    (after - before) / (double) store.memberCount());
            if (store.memberCount() != memberCount || !store.problems().isEmpty()) {
                throw new IllegalStateException("loaded " + store.memberCount() + ", problems " + store.problems());
            }
            store.close();
        } finally {
            deleteTree(dir);
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
