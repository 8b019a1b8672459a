package dev.zerokube.overlay.runtime.port;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smallest IPv4 host that can sit on a {@link UserspacePort} where a kernel would sit on a
 * TAP: it answers ARP requests and ICMP echo requests for the port's first IPv4 address, and it
 * pings (ARP, then ICMP echo) other hosts on the same network. The lab ({@code zerokube lab})
 * puts one on each node's port so traffic crosses the overlay without a kernel; tests use its
 * frame builders.
 *
 * <p>Frame layouts (network byte order):
 * <pre>
 * Ethernet   dst MAC 6 | src MAC 6 | ethertype 2 (0x0806 ARP, 0x0800 IPv4) | payload
 * ARP        htype 2 (1) | ptype 2 (0x0800) | hlen 1 (6) | plen 1 (4) | op 2 (1 request, 2 reply)
 *            | sender MAC 6 | sender IP 4 | target MAC 6 | target IP 4            (28 bytes)
 * IPv4       0x45 | tos 1 | total length 2 | id 2 | flags+fragment 2 | ttl 1 | protocol 1 (1 ICMP)
 *            | header checksum 2 | src 4 | dst 4                                  (20 bytes, no options)
 * ICMP echo  type 1 (8 request, 0 reply) | code 1 | checksum 2 | identifier 2 | sequence 2 | data
 * </pre>
 *
 * <p>Frames come from the overlay, so every field is checked against the frame's length; frames
 * that are not for this host or are malformed are ignored (counted in {@link #framesIgnored}),
 * never thrown on. Threads: one platform thread of this object reads the port ({@link #start});
 * {@link #ping} may be called from any thread.
 */
public final class UserspaceHost implements AutoCloseable {
    /** EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType of ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** Bytes of data in each echo request this host sends. */
    public static final int ECHO_DATA_BYTES = 56;
    private static final int ETH = 14;
    private static final int IP = 20;

    /** Frames and bytes exchanged with one peer IP (both directions, ARP and ICMP). */
    public record Traffic(long framesOut, long bytesOut, long framesIn, long bytesIn) {}

    private static final class Counters {
        final AtomicLong framesOut = new AtomicLong();
        final AtomicLong bytesOut = new AtomicLong();
        final AtomicLong framesIn = new AtomicLong();
        final AtomicLong bytesIn = new AtomicLong();
    }

    /** An echo request waiting for its reply; sentNanos stays 0 until it is sent (after ARP). */
    private record Pending(int targetIp, int sequence, CompletableFuture<Long> rttNanos, AtomicLong sentNanos) {}

    private final UserspacePort port;
    private final int identifier;
    private final AtomicInteger nextSequence = new AtomicInteger();
    private final Map<Integer, Long> neighbours = new ConcurrentHashMap<>();
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Integer, Counters> traffic = new ConcurrentHashMap<>();
    private final AtomicLong framesIgnored = new AtomicLong();
    private final AtomicLong echoRepliesSent = new AtomicLong();
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param port the port whose host side this is; its address and MAC are read from its
     *     {@link UserspacePort#config()} at each frame, so the host works once the port is configured
     * @param identifier the ICMP echo identifier of this host's pings
     */
    public UserspaceHost(UserspacePort port, int identifier) {
        this.port = Objects.requireNonNull(port, "port");
        this.identifier = identifier & 0xffff;
    }

    /** Starts answering and receiving on a daemon thread of its own. Called once. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("host on " + port.name() + " already started");
        }
        thread = Thread.ofPlatform().daemon().name("zk-host-" + port.name()).start(() -> {
            try {
                while (!closed) {
                    byte[] f = port.receiveToHost(100);
                    if (f != null) {
                        onFrame(f);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Pings {@code targetIp}: an ARP request first while its MAC is unknown, then one ICMP echo
     * request. Completes with the round-trip time in nanoseconds (from sending the echo request),
     * or exceptionally after {@code timeoutMs} (a {@link java.util.concurrent.TimeoutException})
     * or at once if the port has no IPv4 address yet.
     */
    public CompletableFuture<Long> ping(byte[] targetIp, long timeoutMs) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        int target = ipv4(targetIp, 0);
        Own own = own();
        if (own == null) {
            result.completeExceptionally(new IllegalStateException("port " + port.name() + " has no IPv4 address yet"));
            return result;
        }
        int sequence = nextSequence.getAndIncrement() & 0xffff;
        Pending p = new Pending(target, sequence, result, new AtomicLong());
        pending.put(sequence, p);
        result.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(sequence, p));
        Long mac = neighbours.get(target);
        if (mac != null) {
            sendEcho(own, p, mac);
        } else {
            byte[] arp = arp(1, own.mac, own.ip, 0, targetIp);
            send(target, ethernet(Mac.BROADCAST.value(), own.mac, ETHERTYPE_ARP, arp));
        }
        return result;
    }

    /** What was exchanged with {@code peerIp} so far (zeros if nothing). */
    public Traffic traffic(byte[] peerIp) {
        Counters c = traffic.get(ipv4(peerIp, 0));
        return c == null ? new Traffic(0, 0, 0, 0)
                : new Traffic(c.framesOut.get(), c.bytesOut.get(), c.framesIn.get(), c.bytesIn.get());
    }

    /** Frames read from the port that were not for this host or not understood. */
    public long framesIgnored() {
        return framesIgnored.get();
    }

    /** Echo replies this host sent (pings it answered). */
    public long echoRepliesSent() {
        return echoRepliesSent.get();
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Pending p : pending.values()) {
            p.rttNanos.completeExceptionally(new IllegalStateException("host on " + port.name() + " closed"));
        }
    }

    // ---- the reading thread

    private record Own(long mac, byte[] ip) {}

    private Own own() {
        PortConfig c = port.config();
        if (c == null) {
            return null;
        }
        for (InetEndpoint a : c.addresses()) {
            if (a.isIpv4()) {
                return new Own(c.mac().value(), a.ip());
            }
        }
        return null;
    }

    void onFrame(byte[] f) {
        Own own = own();
        if (own == null || f.length < ETH) {
            framesIgnored.incrementAndGet();
            return;
        }
        int type = u16(f, 12);
        boolean handled = switch (type) {
            case ETHERTYPE_ARP -> onArp(own, f);
            case ETHERTYPE_IPV4 -> onIpv4(own, f);
            default -> false;
        };
        if (!handled) {
            framesIgnored.incrementAndGet();
        }
    }

    private boolean onArp(Own own, byte[] f) {
        if (f.length < ETH + 28 || u16(f, ETH) != 1 || u16(f, ETH + 2) != ETHERTYPE_IPV4 || f[ETH + 4] != 6
                || f[ETH + 5] != 4) {
            return false;
        }
        int op = u16(f, ETH + 6);
        long senderMac = mac(f, ETH + 8);
        int senderIp = ipv4(f, ETH + 14);
        int targetIp = ipv4(f, ETH + 24);
        if (targetIp != ipv4(own.ip, 0)) {
            return false;
        }
        count(senderIp, false, f.length);
        neighbours.put(senderIp, senderMac);
        if (op == 1) {
            byte[] reply = arp(2, own.mac, own.ip, senderMac, ipBytes(senderIp));
            send(senderIp, ethernet(senderMac, own.mac, ETHERTYPE_ARP, reply));
        } else if (op == 2) {
            for (Pending p : pending.values()) {
                if (p.targetIp == senderIp) {
                    sendEcho(own, p, senderMac);
                }
            }
        } else {
            return false;
        }
        return true;
    }

    private boolean onIpv4(Own own, byte[] f) {
        if (f.length < ETH + IP + 8 || (f[ETH] & 0xff) != 0x45 || f[ETH + 9] != 1) {
            return false; // not ICMP without options
        }
        int total = u16(f, ETH + 2);
        if (total < IP + 8 || ETH + total > f.length || ipv4(f, ETH + 16) != ipv4(own.ip, 0)
                || Checksum.finish(Checksum.sum(f, ETH + IP, total - IP)) != 0) {
            return false;
        }
        int src = ipv4(f, ETH + 12);
        int icmpType = f[ETH + IP] & 0xff;
        count(src, false, f.length);
        if (icmpType == 8) {
            neighbours.putIfAbsent(src, mac(f, 6));
            byte[] data = java.util.Arrays.copyOfRange(f, ETH + IP + 8, ETH + total);
            byte[] reply = icmpEcho(0, own.ip, ipBytes(src), u16(f, ETH + IP + 4), u16(f, ETH + IP + 6), data);
            send(src, ethernet(mac(f, 6), own.mac, ETHERTYPE_IPV4, reply));
            echoRepliesSent.incrementAndGet();
            return true;
        }
        if (icmpType == 0 && u16(f, ETH + IP + 4) == identifier) {
            Pending p = pending.get(u16(f, ETH + IP + 6));
            long sent = p == null ? 0 : p.sentNanos.get();
            if (p != null && p.targetIp == src && sent != 0) {
                p.rttNanos.complete(System.nanoTime() - sent);
            }
            return true;
        }
        return false;
    }

    private void sendEcho(Own own, Pending p, long mac) {
        byte[] data = new byte[ECHO_DATA_BYTES];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        byte[] frame = ethernet(mac, own.mac, ETHERTYPE_IPV4,
                icmpEcho(8, own.ip, ipBytes(p.targetIp), identifier, p.sequence, data));
        // once only, whether the ARP reply or the caller gets here first
        if (p.sentNanos.compareAndSet(0, System.nanoTime())) {
            send(p.targetIp, frame);
        }
    }

    private void send(int peerIp, byte[] frame) {
        if (port.sendFromHost(frame, 0, frame.length)) {
            Counters c = traffic.computeIfAbsent(peerIp, k -> new Counters());
            c.framesOut.incrementAndGet();
            c.bytesOut.addAndGet(frame.length);
        }
    }

    private void count(int peerIp, boolean out, int bytes) {
        Counters c = traffic.computeIfAbsent(peerIp, k -> new Counters());
        (out ? c.framesOut : c.framesIn).incrementAndGet();
        (out ? c.bytesOut : c.bytesIn).addAndGet(bytes);
    }

    // ---- frame builders (also used by tests)

    /** An Ethernet frame: {@code dst}, {@code src} (48-bit MACs), {@code etherType}, then {@code payload}. */
    public static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        byte[] f = new byte[ETH + payload.length];
        putMac(f, 0, dst);
        putMac(f, 6, src);
        Checksum.putU16(f, 12, etherType);
        System.arraycopy(payload, 0, f, ETH, payload.length);
        return f;
    }

    /** An ARP packet for IPv4 over Ethernet: {@code opcode} 1 (request) or 2 (reply). */
    public static byte[] arp(int opcode, long senderMac, byte[] senderIp, long targetMac, byte[] targetIp) {
        byte[] a = new byte[28];
        Checksum.putU16(a, 0, 1);
        Checksum.putU16(a, 2, ETHERTYPE_IPV4);
        a[4] = 6;
        a[5] = 4;
        Checksum.putU16(a, 6, opcode);
        putMac(a, 8, senderMac);
        System.arraycopy(senderIp, 0, a, 14, 4);
        putMac(a, 18, targetMac);
        System.arraycopy(targetIp, 0, a, 24, 4);
        return a;
    }

    /**
     * An IPv4 packet holding an ICMP echo request ({@code type} 8) or reply (0) with {@code data},
     * TTL 64, both checksums valid.
     */
    public static byte[] icmpEcho(int type, byte[] src, byte[] dst, int identifier, int sequence, byte[] data) {
        int icmpLen = 8 + data.length;
        byte[] p = new byte[IP + icmpLen];
        p[0] = 0x45;
        Checksum.putU16(p, 2, p.length);
        p[8] = 64;
        p[9] = 1;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        Checksum.putU16(p, 10, Checksum.finish(Checksum.sum(p, 0, IP)));
        p[IP] = (byte) type;
        Checksum.putU16(p, IP + 4, identifier);
        Checksum.putU16(p, IP + 6, sequence);
        System.arraycopy(data, 0, p, IP + 8, data.length);
        Checksum.putU16(p, IP + 2, Checksum.finish(Checksum.sum(p, IP, icmpLen)));
        return p;
    }

    private static void putMac(byte[] b, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            b[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    private static long mac(byte[] b, int at) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = (m << 8) | (b[at + i] & 0xff);
        }
        return m;
    }

    private static int u16(byte[] b, int at) {
        return Checksum.u16(b, at);
    }

    private static int ipv4(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static byte[] ipBytes(int ip) {
        return new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
    }
}
