package dev.zerokube.e2e.netns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private underlay made of network namespaces, shaped like ZT1-11 §1.3's lab: a "WAN"
 * namespace holding bridge {@code br0} (the Internet, 198.18.0.0/24), hosts on the WAN, and NAT
 * routers whose LAN (198.19.N.0/24) sits behind iptables MASQUERADE. No namespace gets a default
 * route and no interface is made in the host's own namespace unless a test asks for one
 * ({@link #hostLink}, for servers running inside the test JVM), so nothing can leak out of the lab
 * (TESTING.md: underlay addresses from 198.18.0.0/15 only).
 *
 * <p>Namespace names carry this JVM's pid ({@code zke<pid>-<role>}): {@link #create()} first
 * deletes namespaces left by JVMs that died before cleaning up, and {@link #close()} deletes this
 * lab's namespaces (their veths go with them) and stops the processes started in them, also from
 * a shutdown hook if the test never reaches close.
 */
public final class NetnsLab implements AutoCloseable {
    /** The WAN subnet; hosts and routers get addresses in it. */
    public static final String WAN_PREFIX = "198.18.0.";
    private static final Pattern OURS = Pattern.compile("^(zke(\\d+)-[a-z0-9-]+)");
    private static final int MAX_ROLE_LENGTH = 10;

    private final String prefix;
    private final Namespace wan;
    private final List<Namespace> namespaces = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private volatile String hostLinkName;
    private volatile boolean closed;

    private NetnsLab() {
        this.prefix = "zke" + ProcessHandle.current().pid();
        this.shutdownHook = new Thread(this::close, "netns-lab-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.wan = newNamespace("wan");
        wan.exec("ip", "link", "add", "br0", "type", "bridge");
        wan.exec("ip", "link", "set", "br0", "up");
    }

    /** Deletes namespaces of dead earlier runs, then makes a new lab with an empty WAN. */
    public static NetnsLab create() {
        sweepStale();
        NetnsLab lab = new NetnsLab();
        return lab;
    }

    /** The WAN namespace (bridge br0); a capture point for everything crossing the WAN. */
    public Namespace wan() {
        return wan;
    }

    /** Every namespace of this lab, WAN included, in creation order. */
    public List<Namespace> namespaces() {
        return Collections.unmodifiableList(namespaces);
    }

    /** A host attached to the WAN bridge with {@code WAN_PREFIX + hostNumber}/24 on eth0. */
    public Namespace wanHost(String role, int hostNumber) {
        Namespace ns = newNamespace(role);
        String address = WAN_PREFIX + hostNumber;
        link(ns, wan, "w-" + role, "br0", address + "/24");
        ns.underlayAddress(address);
        return ns;
    }

    /**
     * Puts the test JVM's own namespace on the WAN, for servers that run inside it (a mock API
     * server, an operator, a root): a veth {@code zke<pid>h} here with {@code WAN_PREFIX +
     * hostNumber}/24, its peer on the WAN bridge. Lab hosts reach those servers at the returned
     * address; the host itself gains only that /24 route. The link goes with the lab (its peer
     * lives in the WAN namespace). At most one per lab.
     */
    public synchronized String hostLink(int hostNumber) {
        if (hostLinkName != null) {
            throw new IllegalStateException("this lab has a host link already: " + hostLinkName);
        }
        String name = prefix + "h";
        String address = WAN_PREFIX + hostNumber;
        Command.run("ip", "link", "add", name, "type", "veth", "peer", "name", "w-host", "netns", wan.name());
        hostLinkName = name;
        wan.exec("ip", "link", "set", "w-host", "master", "br0", "up");
        Command.run("ip", "addr", "add", address + "/24", "dev", name);
        Command.run("ip", "link", "set", name, "up");
        return address;
    }

    /**
     * A NAT router: eth0 on the WAN with {@code WAN_PREFIX + hostNumber}, bridge lan0 with
     * 198.19.{@code lan}.1/24, forwarding on, and MASQUERADE of its LAN out of eth0. Plain
     * MASQUERADE keeps source ports when it can (what hole punching relies on, ZT1-11 §1.3);
     * {@link NatKind#SYMMETRIC} randomises them ({@code --random-fully}).
     */
    public Namespace natRouter(String role, int hostNumber, int lan, NatKind kind) {
        Namespace ns = wanHost(role, hostNumber);
        ns.exec("ip", "link", "add", "lan0", "type", "bridge");
        ns.exec("ip", "addr", "add", lanPrefix(lan) + "1/24", "dev", "lan0");
        ns.exec("ip", "link", "set", "lan0", "up");
        ns.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        List<String> rule = new ArrayList<>(List.of("iptables", "-t", "nat", "-A", "POSTROUTING",
                "-s", lanPrefix(lan) + "0/24", "-o", "eth0", "-j", "MASQUERADE"));
        if (kind == NatKind.SYMMETRIC) {
            rule.add("--random-fully");
        }
        ns.exec(rule.toArray(String[]::new));
        // A router's own stateful firewall, as every home router has: unsolicited packets from the
        // WAN to the router itself are dropped. Without it a peer's early hole-punching datagram
        // leaves a conntrack entry for the router's own port, later outbound packets of the LAN
        // host then clash with it and MASQUERADE picks another port, so no pair of NATs of this
        // lab would ever keep ports (dropped in filter INPUT, the entry is never confirmed).
        ns.exec("iptables", "-A", "INPUT", "-i", "eth0", "-m", "conntrack", "--ctstate", "NEW", "-j", "DROP");
        return ns;
    }

    /**
     * A host on a router's LAN with 198.19.{@code lan}.{@code hostNumber}/24, reaching the WAN
     * (198.18.0.0/24 only, never a default route) through the router.
     */
    public Namespace lanHost(Namespace router, int lan, String role, int hostNumber) {
        Namespace ns = newNamespace(role);
        String address = lanPrefix(lan) + hostNumber;
        link(ns, router, "l-" + role, "lan0", address + "/24");
        ns.exec("ip", "route", "add", WAN_PREFIX + "0/24", "via", lanPrefix(lan) + "1");
        ns.underlayAddress(address);
        return ns;
    }

    /**
     * Drops packets at random in {@code ns} (iptables {@code statistic}; these machines have no
     * netem): {@code chain} is FORWARD for a router, INPUT/OUTPUT for a host.
     */
    public void dropRandomly(Namespace ns, String chain, double probability) {
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException("drop probability must be in (0, 1): " + probability);
        }
        ns.exec("iptables", "-A", chain, "-m", "statistic", "--mode", "random",
                "--probability", String.format(Locale.ROOT, "%.4f", probability), "-j", "DROP");
    }

    /** Removes a rule {@link #dropRandomly} added (the same arguments). */
    public void stopDropping(Namespace ns, String chain, double probability) {
        ns.exec("iptables", "-D", chain, "-m", "statistic", "--mode", "random",
                "--probability", String.format(Locale.ROOT, "%.4f", probability), "-j", "DROP");
    }

    /** Packets the random-drop rules of {@code chain} in {@code ns} have dropped so far. */
    public long randomlyDropped(Namespace ns, String chain) {
        String table = ns.exec("iptables", "-L", chain, "-v", "-x", "-n");
        long total = 0;
        for (String line : table.split("\n")) {
            if (line.contains("statistic mode random")) {
                total += Long.parseLong(line.strip().split("\\s+")[0]);
            }
        }
        return total;
    }

    /** Packets the router's MASQUERADE rule has translated so far. */
    public long masqueradedPackets(Namespace router) {
        String table = router.exec("iptables", "-t", "nat", "-L", "POSTROUTING", "-v", "-x", "-n");
        long total = 0;
        for (String line : table.split("\n")) {
            if (line.contains("MASQUERADE")) {
                total += Long.parseLong(line.strip().split("\\s+")[0]);
            }
        }
        return total;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (hostLinkName != null) {
            Command.attempt(10_000, "ip", "link", "del", hostLinkName);
        }
        for (Namespace ns : namespaces.reversed()) {
            Command.attempt(10_000, "ip", "netns", "del", ns.name());
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // close() is running from the hook itself
        }
    }

    void adopt(Process p) {
        processes.add(p);
    }

    private Namespace newNamespace(String role) {
        if (!role.matches("[a-z0-9][a-z0-9-]*") || role.length() > MAX_ROLE_LENGTH) {
            throw new IllegalArgumentException("role must be 1-" + MAX_ROLE_LENGTH + " of [a-z0-9-]: " + role);
        }
        String name = prefix + "-" + role;
        Command.run("ip", "netns", "add", name);
        Namespace ns = new Namespace(this, name, role);
        namespaces.add(ns);
        ns.exec("ip", "link", "set", "lo", "up");
        // IPv4 only: no link-local IPv6 chatter on lab links or TAPs (the underlay is 198.18.0.0/15)
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    /** A veth pair: eth0 in {@code host}, {@code peerName} in {@code hub} enslaved to its bridge. */
    private static void link(Namespace host, Namespace hub, String peerName, String bridge, String cidr) {
        host.exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", peerName, "netns", hub.name());
        hub.exec("ip", "link", "set", peerName, "master", bridge, "up");
        host.exec("ip", "addr", "add", cidr, "dev", "eth0");
        host.exec("ip", "link", "set", "eth0", "up");
    }

    private static String lanPrefix(int lan) {
        if (lan < 1 || lan > 254) {
            throw new IllegalArgumentException("LAN number must be 1..254: " + lan);
        }
        return "198.19." + lan + ".";
    }

    /** Deletes lab namespaces whose JVM is gone (a crashed or killed earlier run). */
    static void sweepStale() {
        Command.Result list = Command.attempt(10_000, "ip", "netns", "list");
        for (String line : list.stdout().split("\n")) {
            Matcher m = OURS.matcher(line.strip());
            if (m.find() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                Command.attempt(10_000, "ip", "netns", "del", m.group(1));
            }
        }
    }

    /** How a NAT router maps ports. */
    public enum NatKind {
        /** Linux MASQUERADE: keeps the source port when free (port-preserving, endpoint-dependent filtering). */
        PORT_PRESERVING,
        /** MASQUERADE --random-fully: a new random port per mapping. */
        SYMMETRIC
    }
}
