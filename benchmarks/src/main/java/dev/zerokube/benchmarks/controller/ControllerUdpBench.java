package dev.zerokube.benchmarks.controller;

import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.controller.ClientVersion;
import dev.zerokube.overlay.controller.ControllerAttachment;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.NetworkController;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.FilePolicyStore;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.verbs.Hello;
import dev.zerokube.overlay.wire.verbs.HelloOk;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequest;
import dev.zerokube.overlay.wire.verbs.OkReply;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Issue 5's controller figure over the network: signed configs per second and latency for a
 * private network of {@code members} (default 10,000) authorized members, every request a real
 * NETWORK_CONFIG_REQUEST over loopback UDP to a controller run as {@code zerokube controller}
 * runs it ({@link NodeService} on its event loop thread, {@link ControllerAttachment},
 * {@link NetworkController} over a {@link FilePolicyStore}), every answer the signed, encrypted
 * NETWORK_CONFIG back over UDP.
 *
 * <p>Members are light clients (a Node holds about 1 MiB of tables, too much for 10,000 in one
 * JVM): each has its own UDP socket on its own /24 of 127.0.0.0/8 (the node gates new-identity
 * checks per source /24, and members come from their own networks), its agreed key and
 * {@link Armor}; one client thread composes each member's HELLO, NETWORK_CONFIG_REQUEST and
 * OK(HELLO) (when the controller confirms a new path) with the overlay's codecs, as a node sends
 * them, and completes a request when an authenticated OK(NETWORK_CONFIG_REQUEST) or
 * NETWORK_CONFIG reaches the member (the config's signature is not checked here). Phases: HELLO
 * from every member, the first config of every member ({@value #WARM_UP_CONCURRENCY} in flight),
 * then for {@code seconds} the measured steady state with {@code concurrency} requests in flight,
 * round robin over the members. Latency is wall clock from sending to the reply's arrival, on a
 * client thread that competes for the same CPUs.
 *
 * <p>Member identities have random keys and addresses without the proof of work (generating 10,000
 * real ones costs over an hour of CPU), so both sides accept any identity: the controller's node
 * would otherwise run the memory-hard check once per new member (about 37 ms each, a one-time cost
 * per member that ZeroTier One pays too, not a per-config one). The controller's peer table holds
 * {@code members} peers plus room ({@link NodeConfig#withLimits}); the default of 4,096 would evict
 * members between their requests.
 *
 * <p>Usage: {@code ControllerUdpBench [members] [seconds] [concurrency] [sockets]} (sockets
 * default to one per member; fewer make members share source ports). Results: docs/performance.md.
 */
public final class ControllerUdpBench {
    private static final long PLANET_ID = 0x7a6b_be9cL;
    /** Requests in flight while every member says HELLO and gets its first config (not measured for the goal). */
    static final int WARM_UP_CONCURRENCY = 256;

    private ControllerUdpBench() {}

    public static void main(String[] args) throws Exception {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int sockets = args.length > 3 ? Integer.parseInt(args[3]) : members;
        run(members, seconds, concurrency, sockets);
    }

    /** One member: its key with the controller, and the request it has in flight. */
    static final class Client {
        final Identity identity;
        final byte[] key;
        final Armor armor;
        final DatagramChannel channel;
        boolean helloAnswered;
        long requestStartNanos; // 0: nothing in flight
        long completedNanos;

        Client(Identity identity, Identity controller, DatagramChannel channel) {
            this.identity = identity;
            this.key = identity.agree(controller);
            this.armor = new Armor(key);
            this.channel = channel;
        }
    }

    static void run(int memberCount, int seconds, int concurrency, int socketCount) throws Exception {
        System.out.printf("udp: load before: %s%n", loadAverage());
        SplittableRandom random = new SplittableRandom(5);
        Identity controllerIdentity = Identity.generate(new SplittableRandom(2));
        NetworkId nwid = new NetworkId((controllerIdentity.address().value() << 24) | 1);
        ConfigRequestMetadata metadata = ConfigRequestMetadata.zeroTier1141("linux-x86_64");
        // Member identities with private keys (the nodes need them); the records pin the public part.
        List<Identity> identities = new ArrayList<>(memberCount);
        List<ControllerBench.Member> records = new ArrayList<>(memberCount);
        for (ControllerBench.Member m : ControllerBench.members(memberCount, random, ClientVersion.of(metadata))) {
            C25519.KeyPair pair = C25519.generate(random);
            Identity id = new Identity(m.identity().address(), pair.publicKey(), pair.privateKey());
            identities.add(id);
            MemberRecord r = m.record();
            records.add(new ControllerBench.Member(id, MemberRecord.builder(nwid, r.address(), r.creationTimeMs())
                    .revision(1).authorized(true).lastAuthorizedTimeMs(r.lastAuthorizedTimeMs())
                    .lastAuthorizedCredentialType(r.lastAuthorizedCredentialType())
                    .identity(java.util.Optional.of(new Identity(id.address(), id.publicKey(), null)))
                    .clientVersion(r.clientVersion()).ipAssignments(r.ipAssignments()).build()));
        }
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        InetSocketAddress controllerAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        World planet = RootWorlds.first(World.Type.PLANET, PLANET_ID, 1_000L, List.of(RootWorlds.root(controllerIdentity,
                List.of(InetEndpoint.of(InetAddress.getLoopbackAddress(), port)))), C25519.generate(random));
        Path dir = Files.createTempDirectory("zerokube-controller-udp-bench");
        List<DatagramChannel> channels = new ArrayList<>();
        try {
            ControllerBench.writeFiles(dir, nwid, records);
            records = null;
            try (FilePolicyStore store = FilePolicyStore.open(dir);
                    NodeService controller = NodeService.start(controllerIdentity,
                            NodeConfig.of(planet).withLimits(memberCount + 4096, 2 * memberCount + 4096, 32, 32),
                            NodeService.Options.loopback().withPorts(List.of(port)).withValidator(id -> true));
                    Selector selector = Selector.open()) {
                java.security.SecureRandom secure = new java.security.SecureRandom();
                NetworkController networkController = new NetworkController(controllerIdentity, store, secure);
                ControllerAttachment attachment = controller.call(n -> ControllerAttachment.attach(n, networkController, secure)).join();
                Map<String, Integer> decisions = new java.util.concurrent.ConcurrentHashMap<>();
                controller.execute(n -> attachment.setDecisionListener(d -> decisions.merge(
                        d instanceof dev.zerokube.overlay.controller.ConfigDecision.Ignore i ? "ignore " + i.reason()
                                : d.getClass().getSimpleName(), 1, Integer::sum)));
                long controllerThread = controller.call(n -> Thread.currentThread().threadId()).join();

                for (int i = 0; i < socketCount; i++) {
                    DatagramChannel ch = DatagramChannel.open();
                    // Each member from its own /24 of 127.0.0.0/8 (all of it is on lo), as members come from
                    // their own networks: the node gates new-identity checks per source /24.
                    ch.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, (byte) (16 + (i >> 8)),
                            (byte) i, 1}), 0));
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_READ, i);
                    channels.add(ch);
                }
                Map<Long, Client> byAddress = new HashMap<>();
                Client[] clients = new Client[memberCount];
                for (int i = 0; i < memberCount; i++) {
                    clients[i] = new Client(identities.get(i), controllerIdentity, channels.get(i % socketCount));
                    byAddress.put(clients[i].identity.address().value(), clients[i]);
                }
                Driver driver = new Driver(clients, byAddress, selector, controllerIdentity, controllerAddress, planet, nwid,
                        metadata.toDictionary().encode());
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();

                // Phase 0: every member says HELLO once (the controller learns its identity and key).
                long t0 = System.nanoTime();
                int warmConcurrency = Math.max(concurrency, WARM_UP_CONCURRENCY);
                long[] helloLatency = driver.run(warmConcurrency, memberCount, Long.MAX_VALUE, true);
                report("HELLO", helloLatency, System.nanoTime() - t0, -1);
                System.out.printf("udp: after HELLO: %d timeouts%n", driver.timeouts);
                // Phase 1: every member's first config (the controller records its first request).
                t0 = System.nanoTime();
                long[] joinLatency = driver.run(warmConcurrency, memberCount, Long.MAX_VALUE, false);
                report("first config", joinLatency, System.nanoTime() - t0, -1);
                System.out.printf("udp: after the first configs: %d timeouts in all%n", driver.timeouts);
                driver.timeouts = 0;
                long heap = usedHeap();

                // Phase 2: steady state, rejoins round robin for `seconds`.
                long cpu0 = threads.getThreadCpuTime(controllerThread);
                long client0 = threads.getCurrentThreadCpuTime();
                t0 = System.nanoTime();
                long[] latency = driver.run(concurrency, Integer.MAX_VALUE, t0 + seconds * 1_000_000_000L, false);
                long wall = System.nanoTime() - t0;
                long cpu = threads.getThreadCpuTime(controllerThread) - cpu0;
                long clientCpu = threads.getCurrentThreadCpuTime() - client0;
                report("steady state (config request)", latency, wall, cpu);
                System.out.printf("udp: controller loop thread %.2f s CPU, client thread %.2f s CPU, in %.2f s wall;"
                        + " heap in use after GC (store, controller node and %d clients): %.0f MiB; timeouts %d,"
                        + " refusals %d, fragmented replies %d, replies failing their MAC %d; controller %s%n",
                        cpu / 1e9, clientCpu / 1e9, wall / 1e9, memberCount, heap / 1048576.0, driver.timeouts,
                        driver.errors, driver.fragmented, driver.badMac, controller.traffic());
                System.out.println("udp: controller decisions " + decisions + ", drops " + controller.call(n -> {
                    StringBuilder b = new StringBuilder();
                    for (var r : dev.zerokube.overlay.node.DropReason.values()) {
                        if (n.dropCount(r) > 0) {
                            b.append(r).append('=').append(n.dropCount(r)).append(' ');
                        }
                    }
                    return b.toString();
                }).join());
            }
        } finally {
            for (DatagramChannel ch : channels) {
                ch.close();
            }
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.out.printf("udp: load after: %s%n", loadAverage());
    }

    private static void report(String what, long[] latencyNs, long wallNs, long controllerCpuNs) {
        long[] l = latencyNs.clone();
        Arrays.sort(l);
        System.out.printf("udp: %s: %d configs in %.2f s wall = %.0f configs/s%s%n", what, l.length, wallNs / 1e9,
                l.length / (wallNs / 1e9), controllerCpuNs < 0 ? ""
                        : String.format(", %.0f configs per controller CPU second", l.length / (controllerCpuNs / 1e9)));
        if (l.length > 0) {
            System.out.printf("udp: %s latency: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", what,
                    pct(l, 0.50), pct(l, 0.99), pct(l, 0.999), l[l.length - 1] / 1e6);
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    /**
     * The client thread: sends each member's HELLO or NETWORK_CONFIG_REQUEST as 1.14.1 would
     * compose it (Transmitter's HELLO layout and masked tail; the request encrypted with cipher 1),
     * and completes a request when an authenticated OK(HELLO), or OK(NETWORK_CONFIG_REQUEST) /
     * NETWORK_CONFIG for the network, reaches that member.
     */
    static final class Driver {
        static final long REQUEST_TIMEOUT_NS = 5_000_000_000L;
        final Client[] clients;
        final Map<Long, Client> byAddress;
        final Selector selector;
        final Identity controller;
        final InetSocketAddress controllerAddress;
        final World planet;
        final NetworkId nwid;
        final byte[] metadata;
        final ByteBuffer io = ByteBuffer.allocateDirect(PacketHeader.MAX_LENGTH + 64);
        final byte[] rx = new byte[PacketHeader.MAX_LENGTH + 64];
        final byte[] plain = new byte[PacketHeader.MAX_LENGTH + 64];
        final Salsa20 salsa = new Salsa20(12);
        final SplittableRandom random = new SplittableRandom(7);
        int next;
        long timeouts;
        long errors;
        long fragmented;
        long badMac;
        long sendFailures;
        long received;

        Driver(Client[] clients, Map<Long, Client> byAddress, Selector selector, Identity controller,
                InetSocketAddress controllerAddress, World planet, NetworkId nwid, byte[] metadata) {
            this.clients = clients;
            this.byAddress = byAddress;
            this.selector = selector;
            this.controller = controller;
            this.controllerAddress = controllerAddress;
            this.planet = planet;
            this.nwid = nwid;
            this.metadata = metadata;
        }

        private void send(Client c, boolean hello) throws IOException {
            ByteWriter w = new ByteWriter(512);
            byte[] header = new byte[PacketHeader.IDX_PAYLOAD];
            PacketHeader.writeHeader(header, 0, random.nextLong(), controller.address().value(), c.identity.address().value(),
                    (hello ? Verb.HELLO : Verb.NETWORK_CONFIG_REQUEST).code());
            w.bytes(header);
            if (hello) {
                w.u8(PacketHeader.PROTOCOL_VERSION).u8(1).u8(14).u16(1).u64(System.currentTimeMillis());
                c.identity.encode(w, false);
                InetEndpoint.of(controllerAddress.getAddress(), controllerAddress.getPort()).encode(w);
                w.u64(planet.id()).u64(planet.timestampMs()).u16(0);
            } else {
                new NetworkConfigRequest(nwid, metadata, NetworkConfigRequest.CurrentConfig.NONE).encode(w);
            }
            byte[] packet = w.toByteArray();
            if (hello) {
                try {
                    Hello.cryptTail(packet, 0, packet.length, c.key, salsa);
                } catch (WireFormatException e) {
                    throw new IllegalStateException(e);
                }
            }
            c.armor.armor(packet, 0, packet.length,
                    hello ? PacketHeader.CIPHER_POLY1305_NONE : PacketHeader.CIPHER_POLY1305_SALSA2012);
            io.clear();
            io.put(packet).flip();
            c.channel.send(io, controllerAddress);
        }

        private void okHello(Client c, long inRePacketId, long timestamp) {
            ByteWriter w = new ByteWriter(64);
            byte[] header = new byte[PacketHeader.IDX_PAYLOAD];
            PacketHeader.writeHeader(header, 0, random.nextLong(), controller.address().value(), c.identity.address().value(),
                    Verb.OK.code());
            w.bytes(header);
            new OkReply(inRePacketId, new HelloOk(timestamp, PacketHeader.PROTOCOL_VERSION, 1, 14, 1, null, null)).encode(w);
            byte[] packet = w.toByteArray();
            c.armor.armor(packet, 0, packet.length, PacketHeader.CIPHER_POLY1305_SALSA2012);
            io.clear();
            io.put(packet).flip();
            try {
                c.channel.send(io, controllerAddress);
            } catch (IOException e) {
                sendFailures++;
            }
        }

        /** An answer for client {@code c}: true if it completes c's request. */
        private boolean answers(Client c, byte[] p, int len, boolean hello) {
            if ((p[Fragment.IDX_INDICATOR] & 0xff) == Fragment.INDICATOR || PacketHeader.isFragmented(p, 0)) {
                fragmented++;
                return false;
            }
            if (c.armor.dearmor(p, 0, len) != Armor.Verdict.AUTHENTICATED) {
                badMac++;
                return false;
            }
            int n = Compression.uncompress(p, 0, len, plain, 0);
            if (n < PacketHeader.IDX_PAYLOAD + 1) {
                return false;
            }
            int verb = PacketHeader.verb(plain, 0);
            int inRe = plain[PacketHeader.IDX_PAYLOAD] & 0xff;
            if (verb == Verb.HELLO.code()) {
                // The controller confirms a new path with its own HELLO (ZT1-07 §2.3): answer as a node does.
                long timestamp = 0;
                for (int i = 0; i < 8; i++) {
                    timestamp = (timestamp << 8) | (plain[PacketHeader.IDX_PAYLOAD + 5 + i] & 0xff);
                }
                okHello(c, PacketHeader.packetId(plain, 0), timestamp);
                return false;
            }
            if (verb == Verb.ERROR.code()) {
                errors++;
                return false;
            }
            if (hello) {
                return verb == Verb.OK.code() && inRe == Verb.HELLO.code();
            }
            return verb == Verb.NETWORK_CONFIG.code() || (verb == Verb.OK.code() && inRe == Verb.NETWORK_CONFIG_REQUEST.code());
        }

        /**
         * Keeps {@code concurrency} requests in flight until {@code count} completed or
         * {@code endNanos}; returns the latencies of the completed ones.
         */
        long[] run(int concurrency, int count, long endNanos, boolean hello) throws IOException {
            long[] latencies = new long[Math.min(count, 4_000_000)];
            int done = 0;
            int issued = 0;
            List<Client> inFlight = new ArrayList<>();
            while (done < count && System.nanoTime() < endNanos && (issued < count || !inFlight.isEmpty())) {
                while (inFlight.size() < concurrency && issued < count) {
                    Client c = clients[next++ % clients.length];
                    if (c.requestStartNanos != 0) {
                        continue;
                    }
                    c.completedNanos = 0;
                    c.requestStartNanos = System.nanoTime();
                    send(c, hello);
                    inFlight.add(c);
                    issued++;
                }
                selector.select(5);
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel ch = (DatagramChannel) k.channel();
                    for (int i = 0; i < 64; i++) {
                        io.clear();
                        if (ch.receive(io) == null) {
                            break;
                        }
                        io.flip();
                        int len = io.remaining();
                        io.get(rx, 0, len);
                        if (len < PacketHeader.MIN_LENGTH) {
                            continue;
                        }
                        received++;
                        Client c = byAddress.get(PacketHeader.destination(rx, 0));
                        if (c != null && c.requestStartNanos != 0 && answers(c, rx, len, hello)) {
                            c.completedNanos = System.nanoTime() - c.requestStartNanos;
                            c.requestStartNanos = 0;
                        }
                    }
                }
                selector.selectedKeys().clear();
                long nowNanos = System.nanoTime();
                for (int i = inFlight.size() - 1; i >= 0; i--) {
                    Client c = inFlight.get(i);
                    if (c.completedNanos != 0) {
                        if (done < latencies.length) {
                            latencies[done] = c.completedNanos;
                        }
                        done++;
                        c.completedNanos = 0;
                        inFlight.remove(i);
                    } else if (nowNanos - c.requestStartNanos > REQUEST_TIMEOUT_NS) {
                        c.requestStartNanos = 0;
                        timeouts++;
                        inFlight.remove(i);
                    }
                }
            }
            for (Client c : inFlight) {
                c.requestStartNanos = 0;
            }
            return Arrays.copyOf(latencies, Math.min(done, latencies.length));
        }
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
