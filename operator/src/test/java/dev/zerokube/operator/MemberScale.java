package dev.zerokube.operator;

import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.network.IpAssignment;
import dev.zerokube.operator.api.network.IpPool;
import dev.zerokube.operator.api.network.Route;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the member-scale benchmarks share, on the mock server ({@code MemberScaleBenchmarkTest})
 * and on a real API server (e2e): the network {@value #NETWORK} with a /16 pool, its members,
 * and the heap and load readings they report.
 */
public final class MemberScale {
    /** The benchmark network's name. */
    public static final String NETWORK = "big";

    private MemberScale() {}

    /** Network {@value #NETWORK}: IPv4 auto-assignment from 10.147.0.0/16, IPv4 and ARP only. */
    public static ZeroTierNetwork network() {
        ZeroTierNetwork net = new ZeroTierNetwork();
        net.setMetadata(new ObjectMetaBuilder().withName(NETWORK).build());
        ZeroTierNetworkSpec spec = new ZeroTierNetworkSpec();
        IpPool pool = new IpPool();
        pool.setStart("10.147.0.1");
        pool.setEnd("10.147.255.254");
        IpAssignment ipa = new IpAssignment();
        ipa.setPools(List.of(pool));
        ipa.setV4AutoAssign(true);
        spec.setIpAssignment(ipa);
        Route route = new Route();
        route.setTarget("10.147.0.0/16");
        spec.setRoutes(List.of(route));
        spec.setRules("drop not ethertype ipv4 and not ethertype arp;\naccept;\n");
        net.setSpec(spec);
        return net;
    }

    /** The {@code i}-th authorized member of {@value #NETWORK}, named {@code m%05d}, in {@code namespace}. */
    public static Member member(int i, String namespace) {
        Member m = new Member();
        m.setMetadata(new ObjectMetaBuilder().withName(String.format("m%05d", i)).withNamespace(namespace).build());
        MemberSpec ms = new MemberSpec();
        ms.setNetwork(NETWORK);
        ms.setAddress(String.format("%010x", 0x1000000000L + i));
        ms.setAuthorized(true);
        m.setSpec(ms);
        return m;
    }

    /** Heap in use after collecting, the least of three tries (a collection is only a request). */
    public static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** /proc/loadavg, or "?" where there is none. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
