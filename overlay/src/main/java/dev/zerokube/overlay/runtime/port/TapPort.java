package dev.zerokube.overlay.runtime.port;

import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Linux TAP device as the node's {@link VirtualPort}, driven through FFM (no JNI, no native
 * library of ours), as DATAPATH.md measured it.
 *
 * <p>Opened by name ({@link #open}: {@code /dev/net/tun}, {@code TUNSETIFF} with IFF_TAP |
 * IFF_NO_PI | IFF_VNET_HDR, {@code TUNSETVNETHDRSZ} 10, {@code TUNSETOFFLOAD} TUN_F_CSUM |
 * TUN_F_TSO4 | TUN_F_TSO6) or adopted from a descriptor another process opened ({@link #adopt},
 * see {@link FdPassing}); {@code TUNGETIFF} then tells whether reads carry a virtio-net header.
 *
 * <p>Reading: the descriptor is non-blocking; one thread reads into a native buffer, copies into a
 * reused heap array (JCE is faster on heap arrays, DATAPATH.md) and hands frames to the consumer:
 * with offloads the kernel's TCP stack gives up to 64 KiB super-frames and partial checksums,
 * which the {@link TsoSegmenter} turns into MTU-sized frames with complete checksums. That thread
 * is either the port's own ({@link #start}; when no frame is queued it waits in {@code poll} on
 * the TAP and an eventfd that {@link #close} signals) or the caller's event loop
 * ({@link #startPolled}, {@link #readReady}).
 *
 * <p>Writing: one frame per {@code write}, behind an all-zero virtio-net header (the kernel
 * verifies checksums as for any received frame), or one that says DATA_VALID after {@link
 * #markWritesDataValid}; or, after {@link #mergeWrites}, in-order TCP segments of a flow merged by
 * a {@link GroMerger} into one GSO write (the writer then calls {@link #flush} after each batch).
 *
 * <p>Configuring: MTU, MAC, up, addresses and routes over rtnetlink ({@link Netlink}), on a socket
 * opened with the port, so in the port's network namespace ({@link NetNs}). Needs CAP_NET_ADMIN
 * there; a sidecar that was handed a configured TAP does not call {@link #configure}.
 *
 * <p>No allocation, lock or log per frame. The buffers are freed by the GC once the port is
 * unreachable, so a write racing with {@link #close} fails (returns false) instead of touching
 * freed memory.
 */
public final class TapPort implements PolledPort {
    /** Longest interface name including the terminating NUL ({@code IFNAMSIZ}). */
    public static final int IFNAMSIZ = 16;
    static final int IFF_TAP = 0x0002;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNGETIFF = 0x800454d2L;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final long TUNSETPERSIST = 0x400454cbL;
    static final long TUNSETOWNER = 0x400454ccL;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    private static final int IFREQ_BYTES = 40;
    private static final int IFREQ_FLAGS = 16;
    // A TSO super-frame is at most 64 KiB of IP packet; room for the virtio and Ethernet headers
    // and then some, so that a read is never truncated.
    private static final int READ_BUFFER_BYTES = 128 * 1024;
    // What one non-blocking read did: handed frames on (or dropped a bad one), found nothing
    // waiting, or found the port closed or failed.
    private static final int READ_FRAMES = 0;
    private static final int READ_NOTHING = 1;
    private static final int READ_STOP = 2;
    // A merged write is at most a 64 KiB IP packet.
    private static final int WRITE_BUFFER_BYTES = TsoSegmenter.VNET_HDR_LEN + TsoSegmenter.ETH_HEADER + 65_535;

    private final String name;
    private final int fd;
    private final boolean vnetHeader;
    private final boolean tso;
    private final int eventFd;
    private final Netlink netlink;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment readState = Libc.newCallState(arena);
    private final MemorySegment writeState = Libc.newCallState(arena);
    private final MemorySegment readNative = arena.allocate(READ_BUFFER_BYTES, 64);
    private final MemorySegment writeNative = arena.allocate(WRITE_BUFFER_BYTES, 64);
    private final MemorySegment pollFds = arena.allocate(16, 8);
    private final byte[] readHeap = new byte[READ_BUFFER_BYTES];
    private final TsoSegmenter segmenter = new TsoSegmenter();
    private final int writeHeaderLen;
    private final Object lifecycle = new Object();
    private volatile boolean closed;
    private volatile Thread reader;
    // read by the caller's event loop (startPolled) instead of a reader thread
    private volatile boolean polled;
    private volatile IOException readFailure;
    private volatile PortConfig config;
    private volatile int ifindex;
    private int maxWriteLen = NetworkConfig.MTU_MAX + TsoSegmenter.ETH_HEADER;
    // Single writer each: the reading thread updates the "from host" counters, the writing
    // thread the "to host" ones; volatile so that metrics read recent values.
    private volatile long framesFromHost;
    private volatile long bytesFromHost;
    private volatile long superFramesFromHost;
    private volatile long framesFromHostDropped;
    private volatile long framesToHost;
    private volatile long bytesToHost;
    private volatile long framesToHostDropped;
    private final FrameConsumer counting = this::countFrame;
    private final GroMerger.Sink rawWrite = this::writeRaw;
    private FrameConsumer consumer;
    private boolean dataValid;
    private GroMerger merger;

    private TapPort(String name, int fd, boolean vnetHeader, boolean tso) throws IOException {
        this.name = name;
        this.fd = fd;
        this.vnetHeader = vnetHeader;
        this.tso = tso;
        this.writeHeaderLen = vnetHeader ? TsoSegmenter.VNET_HDR_LEN : 0;
        int efd = Libc.eventfd(readState, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (efd < 0) {
            throw Libc.error("eventfd", readState);
        }
        this.eventFd = efd;
        Netlink nl = null;
        try {
            nl = new Netlink();
            try (Arena a = Arena.ofConfined()) {
                this.ifindex = Libc.ifNameToIndex(readState, a.allocateFrom(name));
            }
        } catch (IOException | RuntimeException e) {
            Libc.closeQuietly(efd);
            if (nl != null) {
                nl.close();
            }
            throw e;
        }
        this.netlink = nl;
        pollFds.set(ValueLayout.JAVA_INT, 0, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, 8, eventFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 12, Libc.POLLIN);
    }

    /**
     * Makes the native bindings TAP ports use (libc's downcall handles: 0.15–0.2 s in a cold JVM),
     * so that the first {@link #open} or {@link #adopt} does not wait for them: a node calls it on
     * a thread of its own at start, while it loads its home and starts its node. Any thread, any
     * number of times; a failure here is left to the first open to report.
     */
    public static void prepare() {
        try {
            Libc.prepare();
        } catch (LinkageError e) {
            // e.g. no native access: the first open says so
        }
    }

    /**
     * {@link #prepare} on a daemon thread of its own ({@code zerokube-tap-warmup}), as a node starts:
     * the libc bindings it makes serve the FFM UDP sockets as well.
     */
    public static void prepareInBackground() {
        Thread.ofPlatform().daemon().name("zerokube-tap-warmup").start(TapPort::prepare);
    }

    /**
     * Opens (creating it if needed) the TAP {@code name} with offloads: virtio-net header, checksum
     * offload and TSO for IPv4 and IPv6. Needs CAP_NET_ADMIN, or a persistent TAP owned by the
     * caller's user.
     */
    public static TapPort open(String name) throws IOException {
        return open(name, true);
    }

    /**
     * Opens the TAP {@code name}, with or without offloads (without: plain frames, each read one
     * frame; for kernels or setups that refuse IFF_VNET_HDR). {@code name} may contain
     * {@code %d} to let the kernel pick a free number; {@link #name()} tells which.
     */
    public static TapPort open(String name, boolean offloads) throws IOException {
        checkName(name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            int fd = Libc.open(st, a.allocateFrom("/dev/net/tun"), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw Libc.error("open /dev/net/tun", st);
            }
            try {
                MemorySegment ifr = a.allocate(IFREQ_BYTES, 8);
                byte[] n = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
                ifr.set(ValueLayout.JAVA_SHORT, IFREQ_FLAGS, (short) (IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0)));
                if (Libc.ioctl(st, fd, TUNSETIFF, ifr) != 0) {
                    throw Libc.error("TUNSETIFF " + name, st);
                }
                String actual = ifr.getString(0, StandardCharsets.US_ASCII);
                boolean tso = offloads && enableOffloads(st, a, fd, actual);
                return new TapPort(actual, fd, offloads, tso);
            } catch (IOException | RuntimeException e) {
                Libc.closeQuietly(fd);
                throw e;
            }
        }
    }

    /**
     * Takes over an open TAP descriptor (e.g. received with {@link FdPassing}); the port owns it
     * from now on and closes it. Reads carry a virtio-net header if whoever opened it asked for
     * one; offloads are then switched on if the kernel lets this process. Needs no capability.
     */
    public static TapPort adopt(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            MemorySegment ifr = a.allocate(IFREQ_BYTES, 8);
            if (Libc.ioctl(st, fd, TUNGETIFF, ifr) != 0) {
                throw Libc.error("TUNGETIFF on descriptor " + fd + " (is it a TAP?)", st);
            }
            int flags = ifr.get(ValueLayout.JAVA_SHORT, IFREQ_FLAGS) & 0xffff;
            String name = ifr.getString(0, StandardCharsets.US_ASCII);
            if ((flags & IFF_TAP) == 0 || (flags & IFF_NO_PI) == 0) {
                throw new IOException("descriptor " + fd + " is " + name + " with flags 0x" + Integer.toHexString(flags)
                        + ", not a TAP with IFF_NO_PI");
            }
            int fl = Libc.fcntl(st, fd, Libc.F_GETFL, 0);
            if (fl < 0 || Libc.fcntl(st, fd, Libc.F_SETFL, fl | Libc.O_NONBLOCK) != 0) {
                throw Libc.error("set O_NONBLOCK on " + name, st);
            }
            boolean vnet = (flags & IFF_VNET_HDR) != 0;
            boolean tso = vnet && enableOffloads(st, a, fd, name);
            TapPort port = new TapPort(name, fd, vnet, tso);
            return port;
        }
    }

    // TUNSETVNETHDRSZ pins the header to the 10-byte struct we parse; TUNSETOFFLOAD may be
    // refused (old kernel, policy): then reads still carry the header, only without TSO.
    private static boolean enableOffloads(MemorySegment st, Arena a, int fd, String name) throws IOException {
        MemorySegment size = a.allocate(ValueLayout.JAVA_INT);
        size.set(ValueLayout.JAVA_INT, 0, TsoSegmenter.VNET_HDR_LEN);
        if (Libc.ioctl(st, fd, TUNSETVNETHDRSZ, size) != 0) {
            throw Libc.error("TUNSETVNETHDRSZ " + name, st);
        }
        return Libc.ioctl(st, fd, TUNSETOFFLOAD, (long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) == 0;
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() >= IFNAMSIZ || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)
                || name.indexOf('/') >= 0 || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("interface name must be 1.." + (IFNAMSIZ - 1) + " ASCII characters without '/' or spaces: " + name);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The TAP descriptor (e.g. to pass it on with {@link FdPassing}); owned by this port. */
    public int fd() {
        return fd;
    }

    /**
     * Makes the TAP outlive its descriptors and belong to {@code ownerUid}: a process of that
     * user may then attach to it by name ({@link #open}) without CAP_NET_ADMIN. This is how the
     * node agent prepares a pod's TAP in the pod's namespace for an unprivileged sidecar.
     */
    public void makePersistent(int ownerUid) throws IOException {
        if (ownerUid < 0) {
            throw new IllegalArgumentException("owner uid must not be negative: " + ownerUid);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            if (Libc.ioctl(st, fd, TUNSETOWNER, (long) ownerUid) != 0) {
                throw Libc.error("TUNSETOWNER " + name + " " + ownerUid, st);
            }
            if (Libc.ioctl(st, fd, TUNSETPERSIST, 1L) != 0) {
                throw Libc.error("TUNSETPERSIST " + name, st);
            }
        }
    }

    /** Undoes {@link #makePersistent}: the TAP then goes with its last descriptor. */
    public void dropPersistence() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            if (Libc.ioctl(st, fd, TUNSETPERSIST, 0L) != 0) {
                throw Libc.error("TUNSETPERSIST 0 " + name, st);
            }
        }
    }

    /** The interface index in the port's network namespace, 0 if it could not be looked up. */
    public int ifindex() {
        return ifindex;
    }

    /** Whether reads and writes carry a virtio-net header. */
    public boolean vnetHeader() {
        return vnetHeader;
    }

    /** Whether the kernel accepted checksum and TSO offloads (super-frames are then cut here). */
    public boolean tso() {
        return tso;
    }

    /**
     * Whether written frames carry DATA_VALID: the kernel then skips verifying their TCP/UDP
     * checksums (DATAPATH.md's choice: a frame from the overlay was authenticated by the peer's
     * MAC, so it was not corrupted on the way). Off by default. No effect without a virtio-net
     * header. Set before writing starts.
     */
    public void markWritesDataValid(boolean dataValid) {
        this.dataValid = dataValid;
        if (vnetHeader) {
            writeNative.set(ValueLayout.JAVA_BYTE, 0, (byte) plainWriteFlags());
            if (merger != null) {
                mergeWrites(true);
            }
        }
    }

    /**
     * Whether to merge written TCP segments into GSO writes (user-space GRO, DATAPATH.md's
     * "must": the host's TCP stack then receives one 64 KiB packet instead of ~45). The writer
     * must then call {@link #flush} after each batch of writes. Segments are checksum-checked
     * before merging unless {@link #markWritesDataValid} is on. No effect without a virtio-net
     * header. Set before writing starts.
     */
    public void mergeWrites(boolean merge) {
        if (vnetHeader) {
            writeNative.asSlice(0, TsoSegmenter.VNET_HDR_LEN).fill((byte) 0);
            writeNative.set(ValueLayout.JAVA_BYTE, 0, (byte) plainWriteFlags());
        }
        merger = merge && vnetHeader
                ? new GroMerger(dataValid, plainWriteFlags(), NetworkConfig.MTU_MAX + TsoSegmenter.ETH_HEADER)
                : null;
    }

    /** Whether writes tell the kernel the frames' checksums need no check ({@link #markWritesDataValid} on a port with a virtio-net header). */
    public boolean writesDataValid() {
        return dataValid && vnetHeader;
    }

    /** Whether writes go through a {@link GroMerger} ({@link #mergeWrites} on a port with a virtio-net header). */
    public boolean mergesWrites() {
        return merger != null;
    }

    /** Segments merged into another segment's write so far. */
    public long mergedSegments() {
        GroMerger m = merger;
        return m == null ? 0 : m.mergedSegments();
    }

    private int plainWriteFlags() {
        return dataValid ? TsoSegmenter.FLAG_DATA_VALID : 0;
    }

    /** Why the read loop stopped before {@link #close}, or null. */
    @Override
    public IOException readFailure() {
        return readFailure;
    }

    @Override
    public void start(FrameConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        synchronized (lifecycle) {
            checkReadable();
            reader = Thread.ofPlatform().daemon().name("zk-tap-" + name).unstarted(() -> readLoop(consumer));
            reader.start();
        }
    }

    /**
     * Reads frames and hands them to {@code consumer} on the calling thread until {@link #close}
     * (or the device fails: see {@link #readFailure}). For a runtime that drives its own I/O
     * threads; otherwise use {@link #start}.
     */
    public void runReadLoop(FrameConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        synchronized (lifecycle) {
            checkReadable();
            reader = Thread.currentThread();
        }
        readLoop(consumer);
    }

    // Under the lifecycle lock: a port is read once, by one of start, runReadLoop or startPolled.
    private void checkReadable() {
        if (closed) {
            throw new IllegalStateException("TAP " + name + " is closed");
        }
        if (reader != null || polled) {
            throw new IllegalStateException("TAP " + name + " is already being read");
        }
    }

    @Override
    public int startPolled(FrameConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        synchronized (lifecycle) {
            checkReadable();
            this.consumer = consumer;
            polled = true;
        }
        return fd;
    }

    @Override
    public boolean readReady(int maxReads) {
        if (!polled) {
            throw new IllegalStateException("TAP " + name + " was not started for polling");
        }
        for (int i = 0; i < maxReads; i++) {
            if (readOne() != READ_FRAMES) {
                return false;
            }
        }
        return true;
    }

    private void readLoop(FrameConsumer consumer) {
        this.consumer = consumer;
        // The loop only repeats readOnce: a loop that a thread enters once and never leaves runs
        // in the interpreter until on-stack replacement, which takes 60,000 iterations (one per
        // read: a TSO super-frame under bulk traffic, one frame otherwise). In the netns bench
        // (-XX:+PrintCompilation) this loop was still interpreted after its warm-up, so each read
        // ran its bytecodes one by one; a method called per read is compiled like any hot method.
        while (readOnce()) {
            // the work is in readOnce
        }
    }

    /** One read from the TAP, or one wait until it is readable. @return whether to go on reading. */
    private boolean readOnce() {
        int r = readOne();
        if (r == READ_NOTHING) {
            consumer.onBatchEnd();
            if (Libc.poll(readState, pollFds, 2, -1) < 0 && Libc.errno(readState) != Libc.EINTR) {
                fail(Libc.error("poll on TAP " + name, readState));
                return false;
            }
            return true;
        }
        return r == READ_FRAMES;
    }

    /** One non-blocking read, its frames handed on: READ_FRAMES, READ_NOTHING (would block) or READ_STOP (closed, failed). */
    private int readOne() {
        if (closed || readFailure != null) {
            return READ_STOP;
        }
        long n = Libc.read(readState, fd, readNative, READ_BUFFER_BYTES);
        if (n < 0) {
            int errno = Libc.errno(readState);
            if (errno == Libc.EAGAIN) {
                return READ_NOTHING;
            }
            if (errno == Libc.EINTR) {
                return READ_FRAMES;
            }
            if (!closed) {
                fail(Libc.error("read from TAP " + name, readState));
            }
            return READ_STOP;
        }
        int len = (int) n;
        MemorySegment.copy(readNative, ValueLayout.JAVA_BYTE, 0, readHeap, 0, len);
        if (!vnetHeader) {
            if (len >= TsoSegmenter.ETH_HEADER) {
                countFrame(readHeap, 0, len);
            } else {
                framesFromHostDropped++;
            }
            return READ_FRAMES;
        }
        int frames = segmenter.deliver(readHeap, 0, len, counting);
        if (frames < 0) {
            framesFromHostDropped++;
        } else if (frames > 1 || (readHeap[1] & 0x7f) != TsoSegmenter.GSO_NONE) {
            superFramesFromHost++;
        }
        return READ_FRAMES;
    }

    private void countFrame(byte[] frame, int off, int len) {
        framesFromHost++;
        bytesFromHost += len;
        consumer.onFrame(frame, off, len);
    }

    private void fail(IOException e) {
        readFailure = e;
    }

    @Override
    public boolean write(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || len < TsoSegmenter.ETH_HEADER || len > maxWriteLen) {
            framesToHostDropped++;
            return false;
        }
        GroMerger m = merger;
        if (m != null) {
            framesToHost++;
            bytesToHost += len;
            return m.offer(frame, off, len, rawWrite);
        }
        MemorySegment.copy(frame, off, writeNative, ValueLayout.JAVA_BYTE, writeHeaderLen, len);
        long n = Libc.write(writeState, fd, writeNative, writeHeaderLen + len);
        if (n != writeHeaderLen + len) {
            framesToHostDropped++;
            return false;
        }
        framesToHost++;
        bytesToHost += len;
        return true;
    }

    @Override
    public void flush() {
        GroMerger m = merger;
        if (m != null && !closed) {
            m.flush(rawWrite);
        }
    }

    // The merger's output: virtio-net header and frame, written as they are.
    private boolean writeRaw(byte[] buf, int off, int len) {
        MemorySegment.copy(buf, off, writeNative, ValueLayout.JAVA_BYTE, 0, len);
        long n = Libc.write(writeState, fd, writeNative, len);
        if (n != len) {
            framesToHostDropped++;
            return false;
        }
        return true;
    }

    @Override
    public synchronized void configure(PortConfig config) throws IOException {
        Objects.requireNonNull(config, "config");
        if (closed) {
            throw new IOException("TAP " + name + " is closed");
        }
        if (ifindex == 0) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = Libc.newCallState(a);
                ifindex = Libc.ifNameToIndex(st, a.allocateFrom(name));
                if (ifindex == 0) {
                    throw Libc.error("no interface " + name + " in the namespace the port was opened in", st);
                }
            }
        }
        PortConfig old = this.config;
        netlink.setLink(ifindex, config.mtu(), config.mac(), true);
        maxWriteLen = config.mtu() + TsoSegmenter.ETH_HEADER;
        if (old != null) {
            for (Route r : routesToInstall(old)) {
                if (!routesToInstall(config).contains(r)) {
                    netlink.route(false, ifindex, r);
                }
            }
            for (InetEndpoint a : old.addresses()) {
                if (!config.addresses().contains(a)) {
                    netlink.address(false, ifindex, a);
                }
            }
        }
        for (InetEndpoint a : config.addresses()) {
            netlink.address(true, ifindex, a);
        }
        for (Route r : routesToInstall(config)) {
            netlink.route(true, ifindex, r);
        }
        this.config = config;
    }

    // The kernel installs the prefix route of each address itself; adding it again as ours would
    // fight it when the address goes.
    private static List<Route> routesToInstall(PortConfig c) {
        List<Route> out = new ArrayList<>();
        for (Route r : c.routes()) {
            if (!c.isConnectedRoute(r)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public PortConfig config() {
        return config;
    }

    @Override
    public PortCounters counters() {
        return new PortCounters(framesFromHost, bytesFromHost, superFramesFromHost, framesFromHostDropped,
                framesToHost, bytesToHost, framesToHostDropped);
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            t = reader;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            Libc.write(Libc.newCallState(a), eventFd, one, 8);
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            netlink.close();
        }
        Libc.closeQuietly(fd);
        Libc.closeQuietly(eventFd);
    }
}
