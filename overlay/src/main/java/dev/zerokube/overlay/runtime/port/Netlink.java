package dev.zerokube.overlay.runtime.port;

import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.netconf.Route;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A NETLINK_ROUTE socket (rtnetlink, {@code rtnetlink(7)}) for what {@code ip link/addr/route}
 * would do to the port: MTU, MAC, up, addresses, routes. One request at a time, each acknowledged
 * (NLM_F_ACK) before the next; the kernel's error code becomes the {@link IOException}'s reason.
 *
 * <p>The socket lives in the network namespace of the thread that created it, and keeps talking
 * to that namespace whichever thread uses it later ({@link NetNs}).
 *
 * <p>Message layout (host byte order):
 * <pre>
 *   nlmsghdr  [4] length [2] type [2] flags [4] seq [4] port id        16 bytes
 *   ifinfomsg [1] family [1] pad [2] type [4] index [4] flags [4] change 16 bytes (RTM_NEWLINK)
 *   ifaddrmsg [1] family [1] prefixlen [1] flags [1] scope [4] index     8 bytes (RTM_NEWADDR/DELADDR)
 *   rtmsg     [1] family [1] dst_len [1] src_len [1] tos [1] table [1] protocol [1] scope [1] type [4] flags
 *                                                                       12 bytes (RTM_NEWROUTE/DELROUTE)
 *   rtattr    [2] length [2] type, value, padded to 4
 * </pre>
 */
final class Netlink implements AutoCloseable {
    private static final int NETLINK_ROUTE = 0;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_REPLACE = 0x100;
    private static final int NLM_F_CREATE = 0x400;
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int RTM_NEWROUTE = 24;
    private static final int RTM_DELROUTE = 25;
    private static final int AF_UNSPEC = 0;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int IFF_UP = 0x1;
    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_NET_NS_FD = 28;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_F_NODAD = 0x02;
    private static final int RTA_DST = 1;
    private static final int RTA_OIF = 4;
    private static final int RTA_GATEWAY = 5;
    private static final int RTA_PRIORITY = 6;
    private static final int RT_TABLE_MAIN = 254;
    private static final int RTPROT_STATIC = 4;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RT_SCOPE_LINK = 253;
    private static final int RTN_UNICAST = 1;
    private static final int BUFFER_BYTES = 16 * 1024;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EADDRNOTAVAIL = 99;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment callState = Libc.newCallState(arena);
    private final MemorySegment native_ = arena.allocate(BUFFER_BYTES, 8);
    private final ByteBuffer message = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final int fd;
    private int seq;

    /** Opens a NETLINK_ROUTE socket in the calling thread's network namespace. */
    Netlink() throws IOException {
        int s = Libc.socket(callState, Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (s < 0) {
            IOException e = Libc.error("socket(AF_NETLINK, NETLINK_ROUTE)", callState);
            arena.close();
            throw e;
        }
        fd = s;
    }

    /** Sets MTU and MAC and brings the link up (RTM_NEWLINK on an existing index). */
    synchronized void setLink(int ifindex, int mtu, Mac mac, boolean up) throws IOException {
        begin(RTM_NEWLINK, 0);
        message.put((byte) AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(ifindex)
                .putInt(up ? IFF_UP : 0).putInt(IFF_UP);
        attribute(IFLA_MTU, 4).putInt(mtu);
        pad();
        attribute(IFLA_ADDRESS, Mac.LENGTH).put(mac.toBytes());
        pad();
        check(request(), "set link " + ifindex + " mtu " + mtu + " address " + mac + (up ? " up" : ""));
    }

    /** Moves the link into the network namespace open as {@code nsFd}. */
    synchronized void moveToNamespace(int ifindex, int nsFd) throws IOException {
        begin(RTM_NEWLINK, 0);
        message.put((byte) AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(0).putInt(0);
        attribute(IFLA_NET_NS_FD, 4).putInt(nsFd);
        pad();
        check(request(), "move link " + ifindex + " to another network namespace");
    }

    /**
     * Adds (replacing an equal one) or deletes an address; the endpoint's port is the prefix
     * length.
     *
     * @return 0, or for a delete the errno of an address that was already gone
     */
    synchronized int address(boolean add, int ifindex, InetEndpoint address) throws IOException {
        boolean v4 = address.isIpv4();
        byte[] ip = address.ip();
        begin(add ? RTM_NEWADDR : RTM_DELADDR, add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
        // IPv6 addresses skip duplicate address detection: the overlay controller assigned them.
        message.put((byte) (v4 ? AF_INET : AF_INET6)).put((byte) address.port())
                .put((byte) (v4 ? 0 : IFA_F_NODAD)).put((byte) RT_SCOPE_UNIVERSE).putInt(ifindex);
        attribute(IFA_LOCAL, ip.length).put(ip);
        pad();
        attribute(IFA_ADDRESS, ip.length).put(ip);
        pad();
        int err = request();
        if (!add && err == EADDRNOTAVAIL) {
            return err;
        }
        check(err, (add ? "add" : "delete") + " address " + address.ipString() + "/" + address.port() + " on link " + ifindex);
        return 0;
    }

    /**
     * Adds (replacing an equal one) or deletes a route through the link in the main table.
     *
     * @return 0, or for a delete the errno of a route that was already gone
     */
    synchronized int route(boolean add, int ifindex, Route route) throws IOException {
        InetEndpoint target = route.target();
        boolean v4 = target.isIpv4();
        int bits = route.prefixBits();
        byte[] dst = masked(target.ip(), bits);
        boolean onLink = route.via().isNil();
        begin(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
        message.put((byte) (v4 ? AF_INET : AF_INET6)).put((byte) bits).put((byte) 0).put((byte) 0)
                .put((byte) RT_TABLE_MAIN).put((byte) RTPROT_STATIC)
                .put((byte) (onLink && v4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE)).put((byte) RTN_UNICAST).putInt(0);
        if (bits > 0) {
            attribute(RTA_DST, dst.length).put(dst);
            pad();
        }
        attribute(RTA_OIF, 4).putInt(ifindex);
        if (!onLink) {
            byte[] gw = route.via().ip();
            attribute(RTA_GATEWAY, gw.length).put(gw);
            pad();
        }
        if (route.metric() != 0) {
            attribute(RTA_PRIORITY, 4).putInt(route.metric());
        }
        int err = request();
        if (!add && (err == ESRCH || err == ENOENT)) {
            return err;
        }
        check(err, (add ? "add" : "delete") + " route " + route + " on link " + ifindex);
        return 0;
    }

    static byte[] masked(byte[] ip, int bits) {
        byte[] out = ip.clone();
        for (int i = 0; i < out.length; i++, bits -= 8) {
            if (bits <= 0) {
                out[i] = 0;
            } else if (bits < 8) {
                out[i] &= (byte) (0xff << (8 - bits));
            }
        }
        return out;
    }

    private void begin(int type, int flags) {
        message.clear();
        message.putInt(0).putShort((short) type).putShort((short) (NLM_F_REQUEST | NLM_F_ACK | flags))
                .putInt(++seq).putInt(0);
    }

    private ByteBuffer attribute(int type, int valueLen) {
        return message.putShort((short) (4 + valueLen)).putShort((short) type);
    }

    private void pad() {
        while ((message.position() & 3) != 0) {
            message.put((byte) 0);
        }
    }

    /** Sends the message being built and waits for its acknowledgement: 0 or a positive errno. */
    private int request() throws IOException {
        int len = message.position();
        message.putInt(0, len);
        MemorySegment.copy(message.array(), 0, native_, ValueLayout.JAVA_BYTE, 0, len);
        long sent = Libc.send(callState, fd, native_, len, 0);
        if (sent != len) {
            throw Libc.error("netlink send", callState);
        }
        while (true) {
            long n = Libc.recv(callState, fd, native_, BUFFER_BYTES, 0);
            if (n < 0) {
                if (Libc.errno(callState) == Libc.EINTR) {
                    continue;
                }
                throw Libc.error("netlink receive", callState);
            }
            for (long at = 0; at + 16 <= n; ) {
                int msgLen = native_.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                int type = native_.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 4) & 0xffff;
                int msgSeq = native_.get(ValueLayout.JAVA_INT_UNALIGNED, at + 8);
                if (msgLen < 16) {
                    throw new IOException("netlink: malformed reply (length " + msgLen + ")");
                }
                if (type == NLMSG_ERROR && msgSeq == seq && at + 20 <= n) {
                    return -native_.get(ValueLayout.JAVA_INT_UNALIGNED, at + 16);
                }
                at += (msgLen + 3) & ~3;
            }
        }
    }

    private static void check(int err, String what) throws IOException {
        if (err != 0) {
            throw new IOException(what + ": " + Libc.strerror(err) + " (errno " + err + ")");
        }
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            Libc.closeQuietly(fd);
            arena.close();
        }
    }
}
