package dev.zerokube.nodeagent.deviceplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.nodeagent.deviceplugin.v1beta1.AllocateRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.AllocateResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.Device;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.DevicePluginOptions;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.Empty;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.PreStartContainerRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.PreferredAllocationRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.RegisterRequest;
import dev.zerokube.operator.api.WellKnownNames;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the device plugin does what the kubelet's device manager expects: it registers
 * {@code zerokube.dev/tun} on kubelet.sock, lists its devices over ListAndWatch (and streams a
 * health change), answers Allocate with /dev/net/tun, the hand-off mount and its env, refuses an
 * unknown device, and registers again after the kubelet restarts (all sockets deleted,
 * kubelet.sock made anew) or appears late. Method: a fake kubelet (a gRPC Registration server on a
 * Unix socket in a temp dir, dialling back like the kubelet) and real gRPC calls over the
 * plugin's socket; "/dev/net/tun" is a temp file whose presence is the health.
 */
@Timeout(60)
class TunDevicePluginTest {
    @TempDir
    Path dir;
    private final UnixGrpc grpc = new UnixGrpc();
    private Path tun;
    private TunDevicePlugin plugin;
    private FakeKubelet kubelet;

    /** The kubelet's side: records registrations. */
    final class FakeKubelet implements AutoCloseable {
        final LinkedBlockingQueue<RegisterRequest> registered = new LinkedBlockingQueue<>();
        final Server server;

        FakeKubelet() throws IOException {
            server = grpc.serve(dir.resolve(TunDevicePlugin.KUBELET_SOCKET),
                    ServerServiceDefinition.builder(DevicePluginGrpc.REGISTRATION)
                            .addMethod(DevicePluginGrpc.REGISTER, ServerCalls.asyncUnaryCall((req, out) -> {
                                if (!req.getVersion().equals(DevicePluginGrpc.VERSION)) {
                                    out.onError(Status.INVALID_ARGUMENT.withDescription("version").asRuntimeException());
                                    return;
                                }
                                registered.add(req);
                                out.onNext(Empty.getDefaultInstance());
                                out.onCompleted();
                            }))
                            .build());
        }

        RegisterRequest awaitRegistration() throws InterruptedException {
            RegisterRequest r = registered.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no registration within 10 s");
            }
            return r;
        }

        @Override
        public void close() {
            UnixGrpc.shutdown(server);
        }
    }

    @BeforeEach
    void tunFile() throws IOException {
        tun = Files.createFile(dir.resolve("tun"));
    }

    @AfterEach
    void stop() {
        if (plugin != null) {
            plugin.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
        grpc.close();
    }

    private TunDevicePlugin.Settings settings() {
        return new TunDevicePlugin.Settings(dir, "zerokube-tun.sock", 3, tun, Path.of("/var/run/zerokube/node-agent"),
                Path.of("/run/zerokube"), 50);
    }

    // The fake kubelet sees the request just before the plugin counts the answer.
    private void awaitRegistrations(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (plugin.registrations() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, plugin.registrations());
    }

    @Test
    void registersListsAndAllocates() throws Exception {
        kubelet = new FakeKubelet();
        plugin = TunDevicePlugin.start(settings());
        RegisterRequest r = kubelet.awaitRegistration();
        assertEquals("v1beta1", r.getVersion());
        assertEquals("zerokube-tun.sock", r.getEndpoint());
        assertEquals(WellKnownNames.TUN_RESOURCE, r.getResourceName());
        awaitRegistrations(1);

        // The kubelet dials back on the endpoint it was given, relative to its directory.
        ManagedChannel ch = grpc.channel(dir.resolve(r.getEndpoint()));
        try {
            DevicePluginOptions options = ClientCalls.blockingUnaryCall(ch, DevicePluginGrpc.GET_DEVICE_PLUGIN_OPTIONS,
                    io.grpc.CallOptions.DEFAULT, Empty.getDefaultInstance());
            assertEquals(false, options.getPreStartRequired());

            Iterator<ListAndWatchResponse> watch = ClientCalls.blockingServerStreamingCall(ch, DevicePluginGrpc.LIST_AND_WATCH,
                    io.grpc.CallOptions.DEFAULT, Empty.getDefaultInstance());
            ListAndWatchResponse first = watch.next();
            assertEquals(List.of("tun-0", "tun-1", "tun-2"), first.getDevicesList().stream().map(Device::getID).toList());
            assertTrue(first.getDevicesList().stream().allMatch(d -> d.getHealth().equals(TunDevicePlugin.HEALTHY)));

            AllocateResponse a = ClientCalls.blockingUnaryCall(ch, DevicePluginGrpc.ALLOCATE, io.grpc.CallOptions.DEFAULT,
                    AllocateRequest.newBuilder()
                            .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds("tun-1"))
                            .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds("tun-2"))
                            .build());
            assertEquals(2, a.getContainerResponsesCount());
            ContainerAllocateResponse c = a.getContainerResponses(0);
            assertEquals(1, c.getDevicesCount());
            assertEquals(tun.toString(), c.getDevices(0).getHostPath());
            assertEquals(tun.toString(), c.getDevices(0).getContainerPath());
            assertEquals("rw", c.getDevices(0).getPermissions());
            assertEquals(1, c.getMountsCount());
            assertEquals("/var/run/zerokube/node-agent", c.getMounts(0).getHostPath());
            assertEquals("/run/zerokube", c.getMounts(0).getContainerPath());
            assertTrue(c.getMounts(0).getReadOnly());
            assertEquals("/run/zerokube/tap.sock", c.getEnvsMap().get(WellKnownNames.TAP_SOCKET_ENV));

            StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(ch, DevicePluginGrpc.ALLOCATE, io.grpc.CallOptions.DEFAULT,
                            AllocateRequest.newBuilder()
                                    .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds("gpu-0"))
                                    .build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());

            var preferred = ClientCalls.blockingUnaryCall(ch, DevicePluginGrpc.GET_PREFERRED_ALLOCATION, io.grpc.CallOptions.DEFAULT,
                    PreferredAllocationRequest.newBuilder().addContainerRequests(ContainerPreferredAllocationRequest.newBuilder()
                            .addAllAvailableDeviceIDs(List.of("tun-0", "tun-1", "tun-2")).addMustIncludeDeviceIDs("tun-2")
                            .setAllocationSize(2)).build());
            assertEquals(List.of("tun-2", "tun-0"), preferred.getContainerResponses(0).getDeviceIDsList());
            ClientCalls.blockingUnaryCall(ch, DevicePluginGrpc.PRE_START_CONTAINER, io.grpc.CallOptions.DEFAULT,
                    PreStartContainerRequest.newBuilder().addDevicesIds("tun-0").build());

            // /dev/net/tun disappears: the open stream reports every device unhealthy.
            Files.delete(tun);
            ListAndWatchResponse second = watch.next();
            assertTrue(second.getDevicesList().stream().allMatch(d -> d.getHealth().equals(TunDevicePlugin.UNHEALTHY)),
                    second.toString());
            assertEquals(3, second.getDevicesCount());
        } finally {
            UnixGrpc.shutdown(ch);
        }
    }

    @Test
    void registersAgainAfterTheKubeletRestarts() throws Exception {
        kubelet = new FakeKubelet();
        plugin = TunDevicePlugin.start(settings());
        kubelet.awaitRegistration();

        // A restarting kubelet removes every socket in its directory, then serves a new kubelet.sock.
        kubelet.close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".sock")).toList()) {
                Files.delete(p);
            }
        }
        kubelet = new FakeKubelet();
        RegisterRequest again = kubelet.awaitRegistration();
        assertEquals(WellKnownNames.TUN_RESOURCE, again.getResourceName());
        awaitRegistrations(2);
        assertTrue(Files.exists(dir.resolve("zerokube-tun.sock")), "the plugin serves again on its socket");
        ManagedChannel ch = grpc.channel(dir.resolve(again.getEndpoint()));
        try {
            ListAndWatchResponse list = ClientCalls.blockingServerStreamingCall(ch, DevicePluginGrpc.LIST_AND_WATCH,
                    io.grpc.CallOptions.DEFAULT, Empty.getDefaultInstance()).next();
            assertEquals(3, list.getDevicesCount());
        } finally {
            UnixGrpc.shutdown(ch);
        }
    }

    @Test
    void aKubeletThatComesLaterIsRegisteredWith() throws Exception {
        plugin = TunDevicePlugin.start(settings());
        assertEquals(0, plugin.registrations());
        kubelet = new FakeKubelet();
        assertEquals(WellKnownNames.TUN_RESOURCE, kubelet.awaitRegistration().getResourceName());
        awaitRegistrations(1);
        assertEquals(null, kubelet.registered.poll(300, TimeUnit.MILLISECONDS), "registered once per kubelet");
    }

    @Test
    void closingRemovesTheSocketAndEndsTheStream() throws Exception {
        kubelet = new FakeKubelet();
        plugin = TunDevicePlugin.start(settings());
        kubelet.awaitRegistration();
        ManagedChannel ch = grpc.channel(dir.resolve("zerokube-tun.sock"));
        try {
            Iterator<ListAndWatchResponse> watch = ClientCalls.blockingServerStreamingCall(ch, DevicePluginGrpc.LIST_AND_WATCH,
                    io.grpc.CallOptions.DEFAULT, Empty.getDefaultInstance());
            watch.next();
            plugin.close();
            plugin = null;
            boolean ended;
            try {
                ended = !watch.hasNext();
            } catch (StatusRuntimeException e) {
                ended = true;
            }
            assertTrue(ended, "ListAndWatch ends when the plugin stops");
            assertTrue(Files.notExists(dir.resolve("zerokube-tun.sock")));
        } finally {
            UnixGrpc.shutdown(ch);
        }
    }
}
