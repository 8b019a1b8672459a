package dev.zerokube.sidecar.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.HomeNode;
import dev.zerokube.overlay.runtime.NetworkPorts;
import dev.zerokube.overlay.runtime.PortFactory;
import dev.zerokube.overlay.runtime.port.UserspaceHost;
import dev.zerokube.overlay.runtime.port.UserspacePort;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code zerokube controller} is a working controller end to end: a member node joining one of
 * its networks is refused until an administrator authorizes it through the HTTP API, then gets its
 * config (with the posted IP), and is refused again once deauthorized; records survive a restart.
 * Method: the command in-process on 127.0.0.1 with a test planet whose root is the controller
 * (pre-made identities, no proof of work), a member node from runtime.HomeNode, the API over real
 * HTTP; waits are bounded and the measured times are reported.
 */
class ControllerCommandTest {
    static final long WAIT_MS = 20_000;

    @TempDir
    Path tmp;

    HttpResponse<String> http(String method, URI uri, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("X-ZT1-Auth", token);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long await(Supplier<Boolean> condition) throws InterruptedException {
        long start = System.nanoTime();
        while ((System.nanoTime() - start) / 1_000_000 < WAIT_MS) {
            if (condition.get()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(20);
        }
        return -1;
    }

    /** A controller home and a member home with pre-made identities, and a planet whose root is the controller. */
    record Homes(Identity controllerId, Identity memberId, int port, World planet, Path planetFile, Path home,
            Path memberHome) {}

    Homes homes(long planetId, int seed) throws Exception {
        Identity controllerId = SimIdentities.get(1);
        Identity memberId = SimIdentities.get(6);
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        World planet = RootWorlds.first(World.Type.PLANET, planetId, 1_000L, List.of(RootWorlds.root(controllerId,
                List.of(InetEndpoint.of(InetAddress.getLoopbackAddress(), port)))), C25519.generate(new SplittableRandom(seed)));
        Path planetFile = tmp.resolve("planet.bin");
        Files.write(planetFile, planet.toBytes());
        Path home = Files.createDirectories(tmp.resolve("controller"));
        Files.writeString(home.resolve("identity.secret"), controllerId.toString(true));
        Path memberHome = Files.createDirectories(tmp.resolve("member"));
        Files.writeString(memberHome.resolve("identity.secret"), memberId.toString(true));
        return new Homes(controllerId, memberId, port, planet, planetFile, home, memberHome);
    }

    @Test
    void memberJoinsAfterAuthorizationThroughTheApi() throws Exception {
        Homes h = homes(0x7e57_0003L, 3);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        ControllerCommand.Options o = ControllerCommand.parse(List.of("--home", h.home().toString(), "--port",
                Integer.toString(h.port()), "--planet", h.planetFile().toString(), "--loopback-paths", "--api-port", "0"),
                errStream).orElseThrow();
        NetworkId nwid = new NetworkId((h.controllerId().address().value() << 24) | 1);
        try (ControllerCommand.Running c = ControllerCommand.start(o, new PrintStream(out, true, StandardCharsets.UTF_8), errStream)) {
            String token = Files.readString(h.home().resolve("authtoken.secret")).strip();
            URI api = URI.create("http://127.0.0.1:" + c.apiAddress().getPort());
            HttpResponse<String> created = http("POST", api.resolve("/controller/network/" + nwid), token,
                    "{\"name\":\"e2e\",\"private\":true,\"routes\":[{\"target\":\"10.147.17.0/24\",\"via\":null}]}");
            assertEquals(200, created.statusCode(), created.body());
            assertEquals(401, http("GET", api.resolve("/controller/network"), "wrong", null).statusCode());
            URI extra = URI.create("http://127.0.0.1:" + c.extraApiAddress().orElseThrow().getPort());
            assertEquals("[\"" + nwid + "\"]", http("GET", extra.resolve("/controller/network"), token, null).body());
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("zerokube controller " + h.controllerId().address()),
                    out.toString(StandardCharsets.UTF_8));

            HomeNode member = HomeNode.start(h.memberHome(), HomeNode.Settings.defaults(line -> { }).withPort(0)
                    .withPlanet(h.planet()).withLoopbackPaths(true));
            try {
                member.service().execute(n -> n.join(nwid, member.service().nowMs()));
                Supplier<Optional<NetworkStatus>> status = () -> member.service().call(n -> n.networks().stream()
                        .filter(s -> s.id().equals(nwid)).findFirst()).join();
                long deniedMs = await(() -> status.get().map(s -> s.status() == NetworkStatus.Status.ACCESS_DENIED).orElse(false));
                assertTrue(deniedMs >= 0, "not refused within " + WAIT_MS + " ms: " + status.get());
                // The refused request left a pending member record.
                String members = http("GET", api.resolve("/controller/network/" + nwid + "/member"), token, null).body();
                assertTrue(members.contains(h.memberId().address().toString()), members);

                HttpResponse<String> auth = http("POST", api.resolve("/controller/network/" + nwid + "/member/"
                        + h.memberId().address()), token, "{\"authorized\":true,\"ipAssignments\":[\"10.147.17.42\"]}");
                assertEquals(200, auth.statusCode(), auth.body());
                long okMs = await(() -> status.get().map(s -> s.status() == NetworkStatus.Status.OK).orElse(false));
                assertTrue(okMs >= 0, "no config within " + WAIT_MS + " ms after authorization: " + status.get());
                String ips = status.get().orElseThrow().config().orElseThrow().toString();
                assertTrue(ips.contains("10.147.17.42"), ips);

                HttpResponse<String> deauth = http("POST", api.resolve("/controller/network/" + nwid + "/member/"
                        + h.memberId().address()), token, "{\"authorized\":false}");
                assertEquals(200, deauth.statusCode(), deauth.body());
                // As with 1.14.1, a deauthorized member is not told (its COM is revoked towards its
                // peers); its next request is refused. Leave and join to make that request now.
                member.service().execute(n -> {
                    n.leave(nwid, member.service().nowMs());
                    n.join(nwid, member.service().nowMs());
                });
                long revokedMs = await(() -> status.get().map(s -> s.status() == NetworkStatus.Status.ACCESS_DENIED).orElse(false));
                assertTrue(revokedMs >= 0, "not denied within " + WAIT_MS + " ms after deauthorization: " + status.get());
                String metrics = http("GET", api.resolve("/metrics"), token, null).body();
                assertTrue(metrics.contains("controller_configs_issued_total"), metrics);
                assertTrue(metrics.contains("controller_denials_total{reason=\"access_denied\"}"), metrics);
                System.out.println("ControllerCommandTest: denied after " + deniedMs + " ms, config " + okMs
                        + " ms after authorization, denied " + revokedMs + " ms after deauthorization");
            } finally {
                member.close();
            }
        }
        try (ControllerCommand.Running c = ControllerCommand.start(o, new PrintStream(out), errStream)) {
            assertEquals(1, c.store().networkCount(), "records survive a restart");
            assertEquals(1, c.store().memberCount());
        }
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("WARNING"), err.toString(StandardCharsets.UTF_8));
    }

    /*
     * IOP-18's missing half, in-process: the controller is a member of its own network (joined
     * with --join, its request answered inside the process), gets the address posted for it, and a
     * member node pings that address across the overlay. In-memory ports with a UserspaceHost on
     * each side answer ARP and ICMP as a TAP's kernel would.
     */
    @Test
    void theControllerJoinsItsOwnNetworkAndAnswersAMembersPing() throws Exception {
        Homes h = homes(0x7e57_0004L, 4);
        NetworkId nwid = new NetworkId((h.controllerId().address().value() << 24) | 7);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        List<String> args = List.of("--home", h.home().toString(), "--port", Integer.toString(h.port()), "--planet",
                h.planetFile().toString(), "--loopback-paths", "--userspace");

        // first run: the network, with the controller itself and the member authorized
        try (ControllerCommand.Running c = ControllerCommand.start(ControllerCommand.parse(args, errStream).orElseThrow(),
                out, errStream)) {
            String token = Files.readString(h.home().resolve("authtoken.secret")).strip();
            URI api = URI.create("http://127.0.0.1:" + c.apiAddress().getPort());
            assertEquals(200, http("POST", api.resolve("/controller/network/" + nwid), token,
                    "{\"name\":\"self\",\"private\":true,\"routes\":[{\"target\":\"10.147.18.0/24\",\"via\":null}]}")
                    .statusCode());
            assertEquals(200, http("POST", api.resolve("/controller/network/" + nwid + "/member/" + h.controllerId().address()),
                    token, "{\"authorized\":true,\"ipAssignments\":[\"10.147.18.1\"]}").statusCode());
            assertEquals(200, http("POST", api.resolve("/controller/network/" + nwid + "/member/" + h.memberId().address()),
                    token, "{\"authorized\":true,\"ipAssignments\":[\"10.147.18.42\"]}").statusCode());
        }
        // second run: --join makes the controller a member from its start
        List<String> joining = new java.util.ArrayList<>(args);
        joining.addAll(List.of("--join", nwid.toString()));
        try (ControllerCommand.Running c = ControllerCommand.start(ControllerCommand.parse(joining, errStream).orElseThrow(),
                out, errStream)) {
            Supplier<Optional<NetworkStatus>> own = () -> c.node().service().call(n -> n.networks().stream()
                    .filter(s -> s.id().equals(nwid)).findFirst()).join();
            long okMs = await(() -> own.get().map(s -> s.status() == NetworkStatus.Status.OK).orElse(false)
                    && c.ports().port(nwid).isPresent());
            assertTrue(okMs >= 0, "the controller's own membership is OK within " + WAIT_MS + " ms: " + own.get());
            assertTrue(own.get().orElseThrow().config().orElseThrow().toString().contains("10.147.18.1"));
            try (UserspaceHost controllerHost = new UserspaceHost((UserspacePort) c.ports().port(nwid).orElseThrow(), 1)) {
                controllerHost.start();
                NetworkPorts[] memberPorts = new NetworkPorts[1];
                HomeNode member = HomeNode.start(h.memberHome(), HomeNode.Settings.defaults(line -> { }).withPort(0)
                        .withPlanet(h.planet()).withLoopbackPaths(true),
                        service -> memberPorts[0] = NetworkPorts.attach(service, PortFactory.userspace(), line -> { }));
                try {
                    member.service().execute(n -> n.join(nwid, member.service().nowMs()));
                    long memberMs = await(() -> memberPorts[0].port(nwid).isPresent() && member.service().call(n -> n.networks()
                            .stream().anyMatch(s -> s.id().equals(nwid) && s.status() == NetworkStatus.Status.OK)).join());
                    assertTrue(memberMs >= 0, "the member's config within " + WAIT_MS + " ms");
                    try (UserspaceHost memberHost = new UserspaceHost((UserspacePort) memberPorts[0].port(nwid).orElseThrow(), 2)) {
                        memberHost.start();
                        Long rtt = null;
                        long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
                        while (rtt == null && System.nanoTime() < deadline) {
                            try {
                                rtt = memberHost.ping(new byte[] {10, (byte) 147, 18, 1}, 1_000).get();
                            } catch (java.util.concurrent.ExecutionException e) {
                                Thread.sleep(100); // ARP or the path still settling: ask again
                            }
                        }
                        assertTrue(rtt != null, "the member's ping to the controller's own address was answered");
                        // the host counts a reply after handing it to the port: it may cross first
                        assertTrue(await(() -> controllerHost.echoRepliesSent() > 0) >= 0, "the controller's host answered");
                        System.out.println("ControllerCommandTest: controller a member after " + okMs
                                + " ms; member's ping to it answered (" + rtt + " ns)");
                    }
                } finally {
                    member.close();
                    memberPorts[0].close();
                }
            }
        }
        assertTrue(Files.exists(h.home().resolve("networks.d").resolve(nwid + ".conf")), "the join is remembered in the home");
    }

    @Test
    void badArgumentsFailWithUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertTrue(ControllerCommand.parse(List.of("--port", "99999", "--home", "x"), new PrintStream(err)).isEmpty());
        assertTrue(err.toString().contains("--port must be a port number"), err.toString());
        assertTrue(ControllerCommand.parse(List.of("--api-port", "1"), new PrintStream(err)).isEmpty());
        assertTrue(err.toString().contains("--home DIR is required"), err.toString());
        assertTrue(ControllerCommand.parse(List.of("--home"), new PrintStream(err)).isEmpty());
        assertTrue(ControllerCommand.parse(List.of("--home", "x", "--frobnicate", "1"), new PrintStream(err)).isEmpty());
        assertTrue(ControllerCommand.parse(List.of("--home", "x", "--join", "12345"), new PrintStream(err)).isEmpty());
        assertTrue(err.toString().contains("--join needs a 16-digit hex network id, not '12345'"), err.toString());
    }
}
