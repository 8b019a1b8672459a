package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.World;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/*
 * Goal: the node's /metrics text (written by NodeMetrics itself since Micrometer left the node)
 * is valid Prometheus text with exactly the series Micrometer's registry wrote before (the list
 * below was taken from a sidecar's /metrics before the change), and the values are the node's.
 * Method: a root and a leaf on loopback UDP; the leaf's scrape is parsed line by line: every
 * family has HELP then TYPE then its samples, families in ascending name order, each series
 * once; counters match the service's traffic; an included section comes after the node's.
 */
class NodeMetricsTest {
    private static final List<String> SERIES_BEFORE_DROPS = List.of(
            "zerokube_node_bytes_total{direction=\"rx\"}", "zerokube_node_bytes_total{direction=\"tx\"}");
    private static final List<String> SERIES_AFTER_DROPS = List.of(
            "zerokube_node_online",
            "zerokube_node_packets_total{direction=\"rx\"}", "zerokube_node_packets_total{direction=\"tx\"}",
            "zerokube_node_paths",
            "zerokube_node_peers{path=\"direct\"}", "zerokube_node_peers{path=\"relayed\"}",
            "zerokube_node_send_failures_total",
            "zerokube_node_waiting_packets{queue=\"identity\"}", "zerokube_node_waiting_packets{queue=\"send\"}");

    @Test
    void scrapeIsPrometheusTextWithTheSeriesMicrometerWrote() throws Exception {
        Identity rootId = SimIdentities.get(0);
        Identity leafId = SimIdentities.get(1);
        int rootPort = LoopbackRig.freeUdpPort();
        World planet = LoopbackRig.planet(rootId, rootPort, 1);
        NodeConfig config = NodeConfig.of(planet);
        NodeService.Options options = NodeService.Options.loopback();
        try (Loops loops = Loops.create(1);
                NodeService root = NodeService.start(rootId, config, options.withPorts(List.of(rootPort)), loops);
                NodeService leaf = NodeService.start(leafId, config, options, loops)) {
            assertTrue(LoopbackRig.await(10_000, () -> leaf.call(n -> n.isOnline()).join()) >= 0, "leaf online");
            NodeMetrics metrics = new NodeMetrics(leaf);
            metrics.include(() -> "# HELP other_total x\n# TYPE other_total counter\nother_total 7.0\n");
            String text = metrics.scrape();
            Map<String, Double> series = parse(text);

            List<String> expected = new ArrayList<>(SERIES_BEFORE_DROPS);
            for (DropReason r : DropReason.values()) {
                expected.add("zerokube_node_drops_total{reason=\"" + r.name().toLowerCase(Locale.ROOT) + "\"}");
            }
            expected.addAll(SERIES_AFTER_DROPS);
            expected.add("other_total");
            assertEquals(expected, List.copyOf(series.keySet()), text);

            NodeService.Traffic after = leaf.traffic();
            double rx = series.get("zerokube_node_packets_total{direction=\"rx\"}");
            assertTrue(rx > 0 && rx <= after.packetsIn(), text);
            assertTrue(series.get("zerokube_node_bytes_total{direction=\"tx\"}") > 0, text);
            assertEquals(1.0, series.get("zerokube_node_online"), text);
            assertEquals(1.0, series.get("zerokube_node_peers{path=\"direct\"}"), text);
            assertEquals(0.0, series.get("zerokube_node_peers{path=\"relayed\"}"), text);
            assertEquals(7.0, series.get("other_total"), text);
        }
    }

    /** Series to value, in order; fails on anything a Prometheus text parser would refuse or we did not mean. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        String family = null;
        String previousFamily = "";
        boolean typed = false;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                family = line.substring(7, line.indexOf(' ', 7));
                assertTrue(family.startsWith("other") || family.compareTo(previousFamily) > 0,
                        family + " after " + previousFamily);
                previousFamily = family;
                typed = false;
            } else if (line.startsWith("# TYPE ")) {
                String[] f = line.split(" ");
                assertEquals(family, f[2], line);
                assertTrue(f[3].equals("counter") && family.endsWith("_total") || f[3].equals("gauge"), line);
                typed = true;
            } else {
                assertTrue(typed, "sample before its TYPE: " + line);
                int space = line.lastIndexOf(' ');
                String name = line.substring(0, space);
                String bare = name.contains("{") ? name.substring(0, name.indexOf('{')) : name;
                assertEquals(family, bare, line);
                assertTrue(series.put(name, Double.parseDouble(line.substring(space + 1))) == null, "twice: " + line);
            }
        }
        assertTrue(text.endsWith("\n"));
        return series;
    }
}
