package dev.zerokube.sidecar.lab;

import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.UserspaceHost;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lab node's probes with {@code --netns}: UDP through the node's namespace's kernel and TAP.
 * Two sockets are made inside the namespace (a socket stays in the namespace it was made in, so
 * threads of the root namespace use them): an echo socket on {@value #PORT} that sends every
 * datagram back, and a probe socket whose datagrams carry a sequence number that the answer
 * matches. Traffic is counted per peer as the Ethernet frames it makes (UDP payload + 42 bytes).
 *
 * <p>Probe datagram: magic 4 ({@code "zklb"}) | sequence 4 | padding to {@value #PROBE_BYTES}.
 */
final class UdpEcho implements Lab.Prober {
    /** The echo port in every lab namespace. */
    static final int PORT = 7007;
    static final int PROBE_BYTES = 64;
    private static final int MAGIC = 0x7a6b6c62;
    private static final int FRAME_OVERHEAD = 14 + 20 + 8;

    private record Pending(int ip, CompletableFuture<Long> rttNanos, long sentNanos) {}

    private static final class Counters {
        final AtomicLong framesOut = new AtomicLong();
        final AtomicLong bytesOut = new AtomicLong();
        final AtomicLong framesIn = new AtomicLong();
        final AtomicLong bytesIn = new AtomicLong();

        void count(boolean out, int payload) {
            (out ? framesOut : framesIn).incrementAndGet();
            (out ? bytesOut : bytesIn).addAndGet(payload + FRAME_OVERHEAD);
        }
    }

    private final DatagramChannel echo;
    private final DatagramChannel probe;
    private final AtomicInteger nextSequence = new AtomicInteger();
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Integer, Counters> traffic = new ConcurrentHashMap<>();
    private final Thread echoThread;
    private final Thread probeThread;

    private UdpEcho(DatagramChannel echo, DatagramChannel probe) {
        this.echo = echo;
        this.probe = probe;
        this.echoThread = Thread.ofPlatform().daemon().name("zk-lab-echo").start(this::serveEcho);
        this.probeThread = Thread.ofPlatform().daemon().name("zk-lab-probe").start(this::receiveAnswers);
    }

    /**
     * Opens both sockets inside the namespace named by {@code namespaceFile}; their threads start
     * here, in this process's own namespace.
     */
    static UdpEcho open(Path namespaceFile) throws IOException {
        DatagramChannel[] channels = NetNs.call(namespaceFile, () -> {
            DatagramChannel e = DatagramChannel.open(StandardProtocolFamily.INET);
            DatagramChannel p = null;
            try {
                e.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), PORT));
                p = DatagramChannel.open(StandardProtocolFamily.INET);
                p.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0));
                return new DatagramChannel[] {e, p};
            } catch (IOException | RuntimeException ex) {
                e.close();
                if (p != null) {
                    p.close();
                }
                throw ex;
            }
        });
        return new UdpEcho(channels[0], channels[1]);
    }

    @Override
    public CompletableFuture<Long> probe(byte[] ip, long timeoutMs) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        int sequence = nextSequence.getAndIncrement();
        int target = ipv4(ip);
        Pending p = new Pending(target, result, System.nanoTime());
        pending.put(sequence, p);
        result.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(sequence, p));
        ByteBuffer b = ByteBuffer.allocate(PROBE_BYTES).putInt(MAGIC).putInt(sequence);
        b.position(PROBE_BYTES).flip();
        try {
            probe.send(b, new InetSocketAddress(InetAddress.getByAddress(ip), PORT));
            counters(target).count(true, PROBE_BYTES);
        } catch (IOException e) {
            result.completeExceptionally(e); // e.g. no route yet: the probe counts as unanswered
        }
        return result;
    }

    @Override
    public UserspaceHost.Traffic traffic(byte[] ip) {
        Counters c = traffic.get(ipv4(ip));
        return c == null ? new UserspaceHost.Traffic(0, 0, 0, 0)
                : new UserspaceHost.Traffic(c.framesOut.get(), c.bytesOut.get(), c.framesIn.get(), c.bytesIn.get());
    }

    private void serveEcho() {
        ByteBuffer b = ByteBuffer.allocate(2048);
        try {
            while (true) {
                b.clear();
                if (!(echo.receive(b) instanceof InetSocketAddress from)) {
                    continue;
                }
                b.flip();
                int n = b.remaining();
                int ip = ipv4(from.getAddress().getAddress());
                counters(ip).count(false, n);
                echo.send(b, from);
                counters(ip).count(true, n);
            }
        } catch (ClosedChannelException e) {
            // closed: done
        } catch (IOException e) {
            // the namespace went away under us; the lab is stopping
        }
    }

    private void receiveAnswers() {
        ByteBuffer b = ByteBuffer.allocate(2048);
        try {
            while (true) {
                b.clear();
                if (!(probe.receive(b) instanceof InetSocketAddress from)) {
                    continue;
                }
                long now = System.nanoTime();
                b.flip();
                int ip = ipv4(from.getAddress().getAddress());
                counters(ip).count(false, b.remaining());
                if (b.remaining() >= 8 && b.getInt() == MAGIC) {
                    Pending p = pending.get(b.getInt());
                    if (p != null && p.ip == ip) {
                        p.rttNanos.complete(now - p.sentNanos);
                    }
                }
            }
        } catch (IOException e) {
            // closed: done
        }
    }

    private Counters counters(int ip) {
        return traffic.computeIfAbsent(ip, k -> new Counters());
    }

    private static int ipv4(byte[] ip) {
        return ip.length != 4 ? 0
                : ((ip[0] & 0xff) << 24) | ((ip[1] & 0xff) << 16) | ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
    }

    @Override
    public void close() {
        try {
            echo.close();
            probe.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with them
        }
        try {
            echoThread.join(2_000);
            probeThread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
